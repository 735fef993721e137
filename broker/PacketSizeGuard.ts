/**
 * Aedes has no maximum packet size: mqtt-packet buffers a whole packet before any hook sees it,
 * so a client announcing a 256 MB packet would make the broker hold 256 MB. This wrapper reads
 * the MQTT fixed header as bytes stream past and cuts the connection as soon as a packet
 * announces a length over the limit, before its body is buffered anywhere.
 */
import { Duplex } from 'node:stream';

export class PacketTooLargeError extends Error {
  override name = 'PacketTooLargeError';
  constructor(
    readonly announcedBytes: number,
    readonly limitBytes: number,
  ) {
    super(`MQTT packet of ${announcedBytes} bytes exceeds the limit of ${limitBytes}`);
  }
}

export class MalformedPacketError extends Error {
  override name = 'MalformedPacketError';
}

/** Tracks packet boundaries in a byte stream; throws when a packet is too large or its length malformed. */
export class PacketLengthReader {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly maxPacketBytes: number) {}

  inspect(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= skip;
        i += skip;
        if (this.bodyLeft === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) throw new MalformedPacketError('MQTT remaining length longer than 4 bytes');
        continue;
      }
      // 1 type byte + the length bytes + the body.
      const total = 1 + this.lengthBytes + this.length;
      if (total > this.maxPacketBytes) throw new PacketTooLargeError(total, this.maxPacketBytes);
      this.bodyLeft = this.length;
      this.state = this.length === 0 ? 'type' : 'body';
    }
  }
}

/**
 * A duplex that Aedes can `handle()`: bytes from the inner connection pass through unchanged,
 * after their packet lengths are checked. Works for TCP sockets and WebSocket streams alike.
 */
export class GuardedConnection extends Duplex {
  private readonly reader: PacketLengthReader;

  constructor(
    private readonly inner: Duplex,
    maxPacketBytes: number,
    onViolation: (error: Error) => void,
  ) {
    super({ allowHalfOpen: false });
    this.reader = new PacketLengthReader(maxPacketBytes);
    inner.on('data', (chunk: Buffer) => {
      try {
        this.reader.inspect(chunk);
      } catch (error) {
        onViolation(error as Error);
        this.destroy(error as Error);
        return;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (error) => this.destroy(error));
    inner.on('close', () => this.destroy());
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.inner.destroyed) return callback(new Error('connection closed'));
    this.inner.write(chunk, callback);
  }

  /**
   * Several packets written together (mqtt-packet corks the stream for each packet it writes, and
   * a group commit releases many PUBACKs at once) reach the socket as one write: without this,
   * Writable calls _write once per buffered chunk, a system call per PUBACK piece (a sixth of the
   * server's CPU at 20,000 QoS 1 readings/s, issue 13).
   */
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    if (this.inner.destroyed) return callback(new Error('connection closed'));
    this.inner.write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }
}
