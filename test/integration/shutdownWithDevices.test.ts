/**
 * Shutting down must not wait for devices to hang up: a device that stays connected (and keeps
 * trying to reconnect) once made close() wait for ever, so SIGTERM never flushed and exited.
 */
import { expect, it, describe } from 'vitest';
import { deviceTopic } from '../../contract/device';
import { BOOTH_A, connectDevice, startTestShowfloor } from '../support/showfloor';
import { waitForEvent } from '../support/waitFor';

describe('shutdown with devices connected', () => {
  it('closes while a device is connected, and the device sees the connection end', async () => {
    const showfloor = await startTestShowfloor({ booths: [BOOTH_A] });
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A, { reconnectPeriod: 100 });
    device.on('error', () => undefined); // reconnect attempts are refused once the broker is gone
    device.publish(deviceTopic(BOOTH_A.id, 'stay-01', 'telemetry'), JSON.stringify({ v: 1 }), { qos: 1 });
    const closedByServer = waitForEvent(device, 'close', { timeoutMs: 5_000 });

    await expect(Promise.race([showfloor.close().then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting'))])).resolves.toBe(
      'closed',
    );
    await closedByServer;
    device.end(true);
  });
});
