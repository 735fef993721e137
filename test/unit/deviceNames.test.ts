import { describe, expect, it } from 'vitest';
import { METRIC_NAME_CACHE, mappedDeviceId, mappedMetricName, rememberedMetricNames } from '../../server/adapters/deviceNames';

describe('device-chosen names', () => {
  it('map deterministically onto the native patterns', () => {
    expect(mappedMetricName(['BME280', 'Temperature'])).toBe('bme280_temperature');
    expect(mappedMetricName(['ENERGY', 'Voltage', '2'])).toBe('energy_voltage_2');
    expect(mappedMetricName(['time'])).toBe('time_value');
    expect(mappedMetricName(['1wire'])).toBe('m_1wire');
    expect(mappedMetricName(['---'])).toBeNull();
    expect(mappedDeviceId('tasmota_A1B2C3')).toBe('tasmota_a1b2c3');
    expect(mappedDeviceId('__x')).toBe('x');
    expect(mappedDeviceId('ü')).toBeNull();
    expect(mappedDeviceId('x'.repeat(100))).toHaveLength(64);
  });

  it('remember at most METRIC_NAME_CACHE mapped names, however many a device invents', () => {
    for (let i = 0; i < METRIC_NAME_CACHE + 500; i++) mappedMetricName(['invented', String(i)]);
    expect(rememberedMetricNames()).toBe(METRIC_NAME_CACHE);
    expect(mappedMetricName(['invented', '0'])).toBe('invented_0');
  });
});
