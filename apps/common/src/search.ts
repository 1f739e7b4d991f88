// No imports here: the infrastructure's contract reads MESSAGE_SEARCH_INDEX from this file to scope
// the apps' search roles and IAM policies (lib/contract/search-index.ts).

/**
 * The OpenSearch index the worker writes messages to and the API searches. Documents use the
 * message id as `_id`, so indexing a redelivered message overwrites rather than duplicates it.
 */
export const MESSAGE_SEARCH_INDEX = 'chat-messages';

/** A message as it is indexed for search. */
export interface MessageSearchDocument {
  readonly id: string;
  readonly roomId: string;
  readonly senderId: string;
  readonly content: string;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
}

/**
 * The index mapping: ids are exact keywords (the API filters by room), the content is analysed
 * text, the timestamp a date for sorting.
 */
export const MESSAGE_SEARCH_MAPPINGS = {
  properties: {
    id: { type: 'keyword' },
    roomId: { type: 'keyword' },
    senderId: { type: 'keyword' },
    content: { type: 'text' },
    createdAt: { type: 'date' },
  },
} as const;
