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
