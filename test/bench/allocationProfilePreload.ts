/**
 * Loaded into the server with `--import` by qos1Profile.ts `--allocation-profile DIR`: V8's
 * sampling heap profiler with collected objects kept, so the profile shows where the server
 * allocates (what its garbage collector then spends time on), not only what is still alive, which
 * is all `node --heap-prof` reports. Written when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const directory = process.env.ALLOCATION_PROFILE_DIR;
if (directory) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.once('exit', () => {
    // An in-process session answers synchronously, so this finishes before the process does.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(join(directory, `allocations-${process.pid}.heapprofile`), JSON.stringify(result.profile));
    });
  });
}
