/**
 * A COPY payload built row by row as UTF-8 bytes. Encoding each row as it
 * comes is cheap; concatenating a batch's rows into one string and encoding
 * that is not: `Buffer.from` of a 1–2 MB string built by `+=` (a rope of
 * thousands of pieces, two-byte as soon as one row holds a non-Latin-1
 * character) cost ~60 µs a row here, more than serialising the row.
 */
// One block is one CopyData message: small enough for pg's writer to copy without
// growing a megabyte buffer, large enough that a batch is a few dozen messages.
const BLOCK = 1 << 16;

export class CopyPayload {
  private readonly blocks: Buffer[] = [];
  private block: Buffer = Buffer.allocUnsafe(BLOCK);
  private used = 0;
  /** Rows added so far. */
  rows = 0;

  /**
   * Appends one row (a COPY text line with its newline), given whole or in pieces written one after
   * another (a trace row's fields around its record snapshot: the row is never one string). A row
   * never spans two blocks.
   */
  readonly add = (...pieces: string[]): void => {
    let length = 0;
    for (const piece of pieces) length += piece.length;
    // A UTF-16 code unit is at most 3 UTF-8 bytes.
    if (this.used + length * 3 > this.block.length) {
      this.seal();
      this.block = Buffer.allocUnsafe(Math.max(BLOCK, length * 3));
    }
    for (const piece of pieces) this.used += this.block.write(piece, this.used, 'utf8');
    this.rows++;
  };

  /** The bytes added so far, as one buffer. */
  bytes(): Buffer {
    const blocks = this.chunks();
    return blocks.length === 1 ? blocks[0] : Buffer.concat(blocks);
  }

  /** The bytes added so far, in blocks of whole rows (no copy into one buffer). */
  chunks(): Buffer[] {
    this.seal();
    this.block = Buffer.allocUnsafe(0);
    return this.blocks;
  }

  private seal(): void {
    if (this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
    this.used = 0;
  }
}
