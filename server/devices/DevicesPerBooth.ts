/**
 * Records per booth and device, at most `maxPerBooth` per booth: touching a record makes it the
 * most recently heard, and a new one past the bound pushes out the least recently heard. The device
 * model (DeviceModel.ts) keeps every device this way, so a device inventing ids cannot grow it.
 * Only the booth's own devices are pushed out: another booth's records are never touched. `onEvict` lets the owner free what hangs off an evicted record (its
 * live-window bytes, its alarms) in the same step.
 */
export class DevicesPerBooth<T> {
  /** Map order is the eviction order: least recently touched first. */
  private readonly booths = new Map<string, Map<string, T>>();
  evicted = 0;

  constructor(
    private readonly maxPerBooth: number,
    private readonly onEvict: (record: T, booth: string, device: string) => void = () => {},
  ) {}

  get(booth: string, device: string): T | undefined {
    return this.booths.get(booth)?.get(device);
  }

  get size(): number {
    let n = 0;
    for (const devices of this.booths.values()) n += devices.size;
    return n;
  }

  *values(booths?: ReadonlySet<string>): IterableIterator<T> {
    for (const [booth, devices] of this.booths) {
      if (booths && !booths.has(booth)) continue;
      yield* devices.values();
    }
  }

  /** Removes one record on purpose (a technician forgot the device); `onEvict` frees what hangs off it. Not counted as evicted. */
  delete(booth: string, device: string): T | undefined {
    const devices = this.booths.get(booth);
    const record = devices?.get(device);
    if (!devices || record === undefined) return undefined;
    devices.delete(device);
    if (devices.size === 0) this.booths.delete(booth);
    this.onEvict(record, booth, device);
    return record;
  }

  /** Finds the record, or makes one with `create`, and marks it most recently heard. */
  touch(booth: string, device: string, create: () => T): T {
    let devices = this.booths.get(booth);
    if (!devices) this.booths.set(booth, (devices = new Map<string, T>()));
    let record = devices.get(device);
    if (record !== undefined) {
      devices.delete(device);
      devices.set(device, record);
      return record;
    }
    if (devices.size >= this.maxPerBooth) {
      const oldest = devices.entries().next().value;
      if (oldest !== undefined) {
        devices.delete(oldest[0]);
        this.evicted++;
        this.onEvict(oldest[1], booth, oldest[0]);
      }
    }
    record = create();
    devices.set(device, record);
    return record;
  }
}
