import type { Client } from '@opensearch-project/opensearch';
import type { Pool } from 'pg';
import { MESSAGE_SEARCH_INDEX, type MessageSearchDocument } from '@co-talk/common/search';
import { createSearchClient, type SearchClientOptions } from '@co-talk/common/search-client';

/** Message search restricted to the rooms the caller belongs to. */
export interface MessageSearch {
  readonly backend: 'opensearch' | 'postgres';
  search(query: string, roomIds: readonly string[], limit: number): Promise<MessageSearchDocument[]>;
  close(): Promise<void>;
}

/**
 * PostgreSQL full-text search, used when OpenSearch is not configured. It narrows by room with
 * `idx_messages_room_time` and filters the text; fine for a development setup or small rooms,
 * which is why production configures OpenSearch.
 */
export class PostgresMessageSearch implements MessageSearch {
  readonly backend = 'postgres';

  constructor(private readonly pool: Pool) {}

  async search(query: string, roomIds: readonly string[], limit: number): Promise<MessageSearchDocument[]> {
    if (roomIds.length === 0) return [];
    const { rows } = await this.pool.query<{
      id: string;
      chat_room_id: string;
      sender_id: string;
      content: string;
      created_at: Date;
    }>(
      `SELECT id, chat_room_id, sender_id, content, created_at FROM messages
       WHERE chat_room_id = ANY($1::uuid[]) AND to_tsvector('simple', content) @@ websearch_to_tsquery('simple', $2)
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      [roomIds, query, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      roomId: r.chat_room_id,
      senderId: r.sender_id,
      content: r.content,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async close(): Promise<void> {}
}

/** OpenSearch full-text search over the index the worker fills. */
export class OpenSearchMessageSearch implements MessageSearch {
  readonly backend = 'opensearch';
  private readonly client: Client;

  constructor(options: SearchClientOptions) {
    this.client = createSearchClient(options);
  }

  async search(query: string, roomIds: readonly string[], limit: number): Promise<MessageSearchDocument[]> {
    if (roomIds.length === 0) return [];
    const response = await this.client.search({ index: MESSAGE_SEARCH_INDEX, body: searchBody(query, roomIds, limit) });
    return response.body.hits.hits.map((hit) => hit._source as MessageSearchDocument);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** The OpenSearch query: the words must match, the rooms only filter (no scoring). */
export function searchBody(query: string, roomIds: readonly string[], limit: number): Record<string, unknown> {
  return {
    size: limit,
    query: {
      bool: {
        must: [{ match: { content: { query, operator: 'and' } } }],
        filter: [{ terms: { roomId: roomIds } }],
      },
    },
    sort: ['_score', { createdAt: 'desc' }],
  };
}
