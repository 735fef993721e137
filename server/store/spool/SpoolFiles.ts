/**
 * The file-system calls the spool makes, behind one seam: tests put a failing disk (ENOSPC, EIO)
 * or a stalled fsync in its place; the server uses node:fs.
 */
import { constants } from 'node:fs';
import { open, mkdir, readdir, unlink, type FileHandle } from 'node:fs/promises';

export interface SpoolFile {
  size(): Promise<number>;
  /** Reads into `buffer` from `position`; resolves the bytes read (fewer at the end of the file). */
  read(buffer: Buffer, position: number): Promise<number>;
  /** Writes all of `buffer` at `position`; a short write rejects. */
  write(buffer: Buffer, position: number): Promise<void>;
  /** fdatasync: the data (and the size) is on the disk, not only in the page cache. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface SpoolFiles {
  ensureDirectory(dir: string): Promise<void>;
  list(dir: string): Promise<string[]>;
  /** 'read' an existing file; 'write' an existing or new file for reading and positioned writes. */
  open(path: string, mode: 'read' | 'write'): Promise<SpoolFile>;
  remove(path: string): Promise<void>;
  /** fsync of the directory, so a created segment's name survives a power cut (POSIX: the entry is the directory's data). */
  syncDirectory(dir: string): Promise<void>;
}

class NodeSpoolFile implements SpoolFile {
  constructor(private readonly handle: FileHandle) {}
  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }
  async read(buffer: Buffer, position: number): Promise<number> {
    return (await this.handle.read(buffer, 0, buffer.length, position)).bytesRead;
  }
  async write(buffer: Buffer, position: number): Promise<void> {
    let written = 0;
    while (written < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, written, buffer.length - written, position + written);
      if (bytesWritten === 0) throw Object.assign(new Error('ENOSPC: no space left on device (short write)'), { code: 'ENOSPC' });
      written += bytesWritten;
    }
  }
  datasync(): Promise<void> {
    return this.handle.datasync();
  }
  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }
  close(): Promise<void> {
    return this.handle.close();
  }
}

export const nodeSpoolFiles: SpoolFiles = {
  async ensureDirectory(dir) {
    await mkdir(dir, { recursive: true });
  },
  list: (dir) => readdir(dir),
  async open(path, mode) {
    // Not 'a': with O_APPEND, Linux ignores the position of a write.
    return new NodeSpoolFile(await open(path, mode === 'read' ? 'r' : constants.O_RDWR | constants.O_CREAT));
  },
  remove: (path) => unlink(path),
  async syncDirectory(dir) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
