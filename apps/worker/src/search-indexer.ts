import type { Client } from '@opensearch-project/opensearch';
import { type ChatMessage } from '@co-talk/common/chat-message';
import { MESSAGE_SEARCH_INDEX, MESSAGE_SEARCH_MAPPINGS, type MessageSearchDocument } from '@co-talk/common/search';
import { createSearchClient, type SearchClientOptions } from '@co-talk/common/search-client';

/** Indexes messages in OpenSearch, one bulk request per batch, the message id as document id. */
export class SearchIndexer {
  private readonly client: Client;
  private indexReady = false;

  constructor(options: SearchClientOptions) {
    this.client = createSearchClient(options);
  }

  /** Creates the index with its mapping unless it exists (dynamic mapping would make ids analysed text). */
  async ensureIndex(): Promise<void> {
    if (this.indexReady) return;
    const exists = await this.client.indices.exists({ index: MESSAGE_SEARCH_INDEX });
    if (!exists.body) {
      try {
        await this.client.indices.create({ index: MESSAGE_SEARCH_INDEX, body: { mappings: MESSAGE_SEARCH_MAPPINGS } });
      } catch (err) {
        // Another worker created it first.
        if (!String((err as Error).message).includes('resource_already_exists_exception')) throw err;
      }
    }
    this.indexReady = true;
  }

  /** Indexes `messages`; throws when any document failed, so the batch is retried. */
  async index(messages: readonly ChatMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // Here rather than at start-up: OpenSearch being down must hold back acks, not the process.
    await this.ensureIndex();
    const body = messages.flatMap((m) => {
      const doc: MessageSearchDocument = {
        id: m.id,
        roomId: m.roomId,
        senderId: m.senderId,
        content: m.content,
        createdAt: m.createdAt,
      };
      return [{ index: { _index: MESSAGE_SEARCH_INDEX, _id: m.id } }, doc];
    });
    const response = await this.client.bulk({ body });
    if (response.body.errors) {
      const failed = response.body.items.filter((item) => item.index?.error).length;
      throw new Error(`OpenSearch rejected ${failed} of ${messages.length} documents`);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
