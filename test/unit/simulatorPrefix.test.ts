import { describe, expect, it } from 'vitest';
import { ID_PATTERN } from '../../contract/device';
import { planDevices, startSimulatedBooth } from '../../simulators/booth';
import { parseSimulatorCli } from '../../simulators/cliOptions';

describe('simulator --prefix (a second run beside the demo)', () => {
  it('puts the prefix before every native id and into the name, so no id of an unprefixed run is reused', () => {
    const plain = planDevices(8).map((d) => d.deviceId);
    const second = planDevices(8, undefined, 'b-');
    expect(second.map((d) => d.deviceId)).toEqual(plain.map((id) => `b-${id}`));
    expect(second.filter((d) => plain.includes(d.deviceId))).toEqual([]);
    for (const device of planDevices(5000, undefined, 'x'.repeat(32))) expect(device.deviceId).toMatch(ID_PATTERN);
    expect(second[0]?.name).toBe('Environment sensor b-01');
  });

  it('is parsed from the command line and refused when it could not start an id', () => {
    const result = parseSimulatorCli(['--booth', 'demo', '--password', 'secret', '--prefix', 'run2-']);
    expect(result.ok && result.options.prefix).toBe('run2-');
    const bad = parseSimulatorCli(['--booth', 'demo', '--password', 'secret', '--prefix', '-x']);
    expect(bad.ok).toBe(false);
    expect(() => startSimulatedBooth({ url: 'mqtt://127.0.0.1:1', booth: 'demo', password: 's', devices: 1, rate: 1, prefix: 'no spaces' })).toThrow(/prefix/);
  });
});
