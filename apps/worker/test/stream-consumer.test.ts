import { STREAM_MESSAGE_FIELD } from '@co-talk/common/chat-message';
import { STREAM_TRACE_FIELD } from '@co-talk/common/tracing';
import { parseEntries } from '../src/stream-consumer';
import { chatMessage } from './messages';

describe('parseEntries', () => {
  it('keeps valid messages and every entry id', () => {
    const message = chatMessage();
    const batch = parseEntries([['1-0', [STREAM_MESSAGE_FIELD, JSON.stringify(message)]]]);
    expect(batch).toEqual({ ids: ['1-0'], messages: [message], rejected: [], traceparents: [] });
  });

  it('rejects garbage with a reason naming the problem', () => {
    const batch = parseEntries([
      ['1-0', [STREAM_MESSAGE_FIELD, '{not json']],
      ['2-0', ['other', 'x']],
      ['3-0', [STREAM_MESSAGE_FIELD, JSON.stringify({ ...chatMessage(), roomId: 'room-1' })]],
      ['4-0', [STREAM_MESSAGE_FIELD, JSON.stringify({ ...chatMessage(), extra: true })]],
    ]);
    expect(batch.ids).toEqual(['1-0', '2-0', '3-0', '4-0']);
    expect(batch.messages).toEqual([]);
    expect(batch.rejected.map((r) => [r.id, r.reason])).toEqual([
      ['1-0', 'not JSON'],
      ['2-0', 'no "message" field'],
      ['3-0', expect.stringMatching(/^roomId: /)],
      ['4-0', expect.stringMatching(/extra/)],
    ]);
  });

  it('collects the trace context a sampled send wrote beside its message', () => {
    const message = chatMessage();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const batch = parseEntries([
      ['1-0', [STREAM_MESSAGE_FIELD, JSON.stringify(message), STREAM_TRACE_FIELD, traceparent]],
      ['2-0', [STREAM_MESSAGE_FIELD, JSON.stringify(chatMessage())]],
    ]);
    expect(batch.messages).toHaveLength(2);
    expect(batch.traceparents).toEqual([traceparent]);
  });

  it('acknowledges an entry trimmed while pending without storing anything', () => {
    expect(parseEntries([['5-0', null]])).toEqual({ ids: ['5-0'], messages: [], rejected: [], traceparents: [] });
  });
});
