import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MESSAGE_STREAM_KEY, STREAM_MESSAGE_FIELD, type ChatMessage } from '@co-talk/common/chat-message';

/** A valid chat message, as the gateway would append it. */
export function chatMessage(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: randomUUID(),
    roomId: randomUUID(),
    senderId: randomUUID(),
    clientMsgId: randomUUID(),
    content: 'hello',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** Appends messages to the test's stream in one pipeline. */
export async function appendMessages(redis: Redis, prefix: string, messages: readonly ChatMessage[]): Promise<void> {
  const pipeline = redis.pipeline();
  for (const m of messages)
    pipeline.xadd(`${prefix}${MESSAGE_STREAM_KEY}`, '*', STREAM_MESSAGE_FIELD, JSON.stringify(m));
  await pipeline.exec();
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
