/**
 * Finds a marker in a connection's bytes as they arrive, without decoding WebSocket frames: the
 * gateway's frames to a client are unmasked, so every event's JSON is in the stream as sent, and
 * a marker is never cut by a frame header (events are whole inside their frame). Decoding frames
 * and strings would cost the client more CPU than the gateway spends producing them, and on a
 * shared machine the benchmark would measure its own client.
 *
 * A marker may be followed by decimal digits (a send time); the value goes to `onMark`. A marker
 * cut by a TCP chunk boundary is found once, when the next chunk completes it.
 */
export class MarkScanner {
  /** Bytes kept from the previous chunk: a marker, 16 digits and the closing quote fit. */
  private static readonly KEEP = 48;
  private tail: Buffer = Buffer.alloc(0);
  /** Where the last `find` stopped short: a marker whose digits run to the end of the data. */
  private cutAt = -1;

  constructor(
    private readonly mark: Buffer,
    private readonly digits: boolean,
    private readonly onMark: (value: number) => void,
  ) {}

  scan(chunk: Buffer): void {
    if (this.tail.length === 0) return this.scanFrom(chunk, 0);
    // The kept bytes hold no counted marker, so scanning them again with the new bytes is exact.
    if (chunk.length <= MarkScanner.KEEP) return this.scanFrom(Buffer.concat([this.tail, chunk]), 0);
    // A long chunk completes any marker that starts in the kept bytes within its first KEEP bytes:
    // scan that joint (a small copy), then the chunk itself from where the joint left off.
    const joint = Buffer.concat([this.tail, chunk.subarray(0, MarkScanner.KEEP)]);
    const resume = this.find(joint, 0, this.tail.length);
    this.scanFrom(chunk, Math.max(0, resume - this.tail.length));
  }

  private scanFrom(data: Buffer, from: number): void {
    const resume = this.find(data, from, data.length);
    const keepFrom = this.cutAt >= 0 ? this.cutAt : Math.max(resume, data.length - (this.mark.length - 1), 0);
    // A copy: the tail must not hold the whole chunk in memory.
    this.tail = Buffer.from(data.subarray(keepFrom));
  }

  /**
   * Reports the complete markers that start in [from, startBefore); returns the offset just past
   * the last one. Sets `cutAt` to the start of a marker whose digits reach the end of `data`.
   */
  private find(data: Buffer, from: number, startBefore: number): number {
    this.cutAt = -1;
    const mark = this.mark;
    const last = mark[mark.length - 1];
    let resume = from;
    // Candidates are found by the marker's last byte (memchr, far faster than a substring search
    // when that byte is rare, as the `=` of `"t=` is in chat JSON), then checked backwards.
    for (let end = data.indexOf(last, from + mark.length - 1); end >= 0; end = data.indexOf(last, end + 1)) {
      const at = end - mark.length + 1;
      if (at >= startBefore) break;
      if (!this.markAt(data, at)) continue;
      let i = end + 1;
      let value = 0;
      if (this.digits) {
        for (; i < data.length && data[i] >= DIGIT_0 && data[i] <= DIGIT_9; i++) value = value * 10 + data[i] - DIGIT_0;
        if (i === data.length) {
          this.cutAt = at;
          return at;
        }
      }
      this.onMark(value);
      resume = i;
      end = i - 1;
    }
    return resume;
  }

  private markAt(data: Buffer, at: number): boolean {
    for (let k = this.mark.length - 2; k >= 0; k--) if (data[at + k] !== this.mark[k]) return false;
    return true;
  }
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
