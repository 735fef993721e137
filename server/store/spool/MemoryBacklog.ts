/**
 * Lines the spool could not take (disk full, I/O error) waiting in memory for InfluxDB: the path
 * readings took before the spool, bounded by influx.maxBufferLines. Past it new lines are refused
 * (the caller counts them dropped).
 */
export interface MemoryBatch {
  readonly lines: string[];
}

export class MemoryBacklog {
  private readonly chunks: { acceptedAt: number; lines: string[] }[] = [];
  private count = 0;
  /** Lines taken for sending and not yet confirmed: counted against the bound too. */
  private taken = 0;

  constructor(private readonly maxLines: number) {}

  /** Keeps what fits; returns how many lines did not. */
  push(lines: string[], acceptedAt: number): number {
    const room = Math.max(0, this.maxLines - this.count - this.taken);
    const kept = lines.length <= room ? lines : lines.slice(0, room);
    if (kept.length > 0) {
      this.chunks.push({ acceptedAt, lines: kept });
      this.count += kept.length;
    }
    return lines.length - kept.length;
  }

  /** Lines not yet taken for sending, and when the oldest of them was accepted. */
  waiting(): { readings: number; oldestAt: number | null } {
    return { readings: this.count, oldestAt: this.chunks[0]?.acceptedAt ?? null };
  }

  take(maxLines: number): MemoryBatch | null {
    if (this.count === 0) return null;
    const lines: string[] = [];
    while (this.chunks.length > 0 && lines.length < maxLines) {
      const chunk = this.chunks[0]!;
      const part = chunk.lines.length <= maxLines - lines.length ? chunk.lines : chunk.lines.slice(0, maxLines - lines.length);
      for (const line of part) lines.push(line);
      if (part.length === chunk.lines.length) this.chunks.shift();
      else chunk.lines = chunk.lines.slice(part.length);
    }
    this.count -= lines.length;
    this.taken += lines.length;
    return { lines };
  }

  confirm(batch: MemoryBatch): void {
    this.taken -= batch.lines.length;
  }

  /** Lines that would be lost if the process stopped now. */
  size(): number {
    return this.count + this.taken;
  }
}
