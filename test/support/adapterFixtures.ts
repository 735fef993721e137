/**
 * What stock devices publish, per family, as their public documentation shows it. Each fixture
 * says where it comes from; ids, MACs and values are changed, shapes and field names are not.
 * Timestamps the device stamps itself are built from `now` so they pass the age rule.
 */

/** A publish on the device's own topic (the broker mounts it at booth/{id}/raw/…). */
export interface DeviceFixture {
  topic: string;
  payload: string;
  retain?: boolean;
}

export const tasmota = {
  /**
   * Tasmota source tasmota/tasmota_xdrv_driver/xdrv_12_discovery.ino (TasDiscoverMessage) and the
   * "AutoDiscovery Protocol" examples for Tasmota 9.3.0: retained on tasmota/discovery/<mac>/config.
   */
  discovery: (fullTopic = '%prefix%/%topic%/', topic = 'tasmota_A1B2C3', mac = '84F3EBA1B2C3'): DeviceFixture => ({
    topic: `tasmota/discovery/${mac}/config`,
    retain: true,
    payload: JSON.stringify({
      ip: '192.168.1.50',
      dn: 'Hall Climate',
      fn: ['Hall Climate', null, null, null, null, null, null, null],
      hn: `tasmota-${mac.slice(-6)}-0707`,
      mac,
      md: 'Sonoff TH',
      ty: 0,
      if: 0,
      ofln: 'Offline',
      onln: 'Online',
      state: ['OFF', 'ON', 'TOGGLE', 'HOLD'],
      sw: '13.2.0',
      t: topic,
      ft: fullTopic,
      tp: ['cmnd', 'stat', 'tele'],
      rl: [1, 0, 0, 0, 0, 0, 0, 0],
      swc: [-1, -1, -1, -1, -1, -1, -1, -1],
      swn: [null, null, null, null, null, null, null, null],
      btn: [0, 0, 0, 0, 0, 0, 0, 0],
      so: { '4': 0, '11': 0, '13': 0, '17': 0, '20': 0, '30': 0, '68': 0, '73': 0, '82': 0, '114': 0, '117': 0 },
      lk: 0,
      lt_st: 0,
      sho: [0, 0, 0, 0],
      ver: 1,
    }),
  }),
  /** Issue 11's example, as Tasmota's BME280 page (docs/BME280.md) and MQTT.md show SENSOR: local Time, no zone. */
  sensor: (topic = 'tele/tasmota_A1B2C3/SENSOR'): DeviceFixture => ({
    topic,
    payload:
      '{"Time":"2026-12-03T10:00:00","BME280":{"Temperature":21.3,"Humidity":45.1,"DewPoint":8.9,"Pressure":1013.2},"PressureUnit":"hPa","TempUnit":"C"}',
  }),
  /** docs/Power-Monitoring.md's SENSOR with ENERGY: TotalStartTime is text, the rest numbers. */
  energy: (topic = 'tele/tasmota_A1B2C3/SENSOR'): DeviceFixture => ({
    topic,
    payload:
      '{"Time":"2026-12-03T10:00:00","ENERGY":{"TotalStartTime":"2026-11-01T09:12:40","Total":1.234,"Yesterday":0.321,"Today":0.105,"Power":45,"ApparentPower":52,"ReactivePower":26,"Factor":0.87,"Voltage":231,"Current":0.226}}',
  }),
  /** docs/MQTT.md "tele/<topic>/STATE": Uptime, Wifi and POWER; text fields beside numbers. */
  state: (topic = 'tele/tasmota_A1B2C3/STATE'): DeviceFixture => ({
    topic,
    payload:
      '{"Time":"2026-12-03T10:00:00","Uptime":"0T00:05:12","UptimeSec":312,"Heap":26,"SleepMode":"Dynamic","Sleep":50,"LoadAvg":19,"MqttCount":1,"POWER":"ON","Wifi":{"AP":1,"SSId":"expo","BSSId":"AA:BB:CC:DD:EE:FF","Channel":6,"Mode":"11n","RSSI":78,"Signal":-61,"LinkCount":1,"Downtime":"0T00:00:03"}}',
  }),
  /** docs/MQTT.md "LWT": the will (retained), Online after connecting. */
  lwt: (online: boolean, topic = 'tele/tasmota_A1B2C3/LWT'): DeviceFixture => ({ topic, payload: online ? 'Online' : 'Offline', retain: true }),
};

export const shelly = {
  device: 'shellyplus1pm-a8032ab12345',
  /** Gen2 docs, ComponentsAndServices/Switch "Status" example, on <prefix>/status/switch:0 (Mqtt "status_ntf"). */
  switchStatus: (prefix = 'shellyplus1pm-a8032ab12345'): DeviceFixture => ({
    topic: `${prefix}/status/switch:0`,
    payload:
      '{"id":0,"source":"init","output":false,"apower":0,"voltage":236.5,"current":0,"aenergy":{"total":12.345,"by_minute":[0,0,0],"minute_ts":1764756000},"temperature":{"tC":41.5,"tF":106.7}}',
  }),
  /** Gen2 docs, General/Notifications "NotifyStatus" example on <prefix>/events/rpc: ts in seconds, a partial switch:0. */
  notifyStatus: (nowMs: number, prefix = 'shellyplus1pm-a8032ab12345'): DeviceFixture => ({
    topic: `${prefix}/events/rpc`,
    payload: `{"src":"${prefix}","dst":"${prefix}/events","method":"NotifyStatus","params":{"ts":${(nowMs / 1000).toFixed(2)},"switch:0":{"id":0,"apower":8.9,"current":0.038}}}`,
  }),
  /** Gen2 docs, ComponentsAndServices/Mqtt: <prefix>/online true/false (will). */
  online: (online: boolean, prefix = 'shellyplus1pm-a8032ab12345'): DeviceFixture => ({ topic: `${prefix}/online`, payload: String(online), retain: true }),
  gen1Device: 'shelly1pm-B929CC',
  /** Gen1 docs, "MQTT": shellies/<id>/relay/0/power in W, shellies/<id>/relay/0 on/off, shellies/<id>/online, shellies/announce. */
  gen1Power: (): DeviceFixture => ({ topic: 'shellies/shelly1pm-B929CC/relay/0/power', payload: '12.5' }),
  gen1Relay: (): DeviceFixture => ({ topic: 'shellies/shelly1pm-B929CC/relay/0', payload: 'on' }),
  gen1Temperature: (): DeviceFixture => ({ topic: 'shellies/shelly1pm-B929CC/temperature', payload: '38.71' }),
  gen1Online: (online: boolean): DeviceFixture => ({ topic: 'shellies/shelly1pm-B929CC/online', payload: String(online), retain: true }),
  gen1Announce: (): DeviceFixture => ({
    topic: 'shellies/announce',
    payload: '{"id":"shelly1pm-B929CC","model":"SHSW-PM","mac":"A4CF12B929CC","ip":"192.168.1.61","new_fw":false,"fw_ver":"20230913-112003/v1.14.0-gcb84623"}',
  }),
};

export const esphome = {
  /** esphome.io/components/mqtt.html: <topic_prefix>/<component>/<object_id>/state plain values; nan when a sensor has none. */
  temperature: (): DeviceFixture => ({ topic: 'expo-esp1/sensor/hall_temperature/state', payload: '23.5' }),
  door: (): DeviceFixture => ({ topic: 'expo-esp1/binary_sensor/door/state', payload: 'ON' }),
  co2Nan: (): DeviceFixture => ({ topic: 'expo-esp1/sensor/co2/state', payload: 'nan' }),
  ssid: (): DeviceFixture => ({ topic: 'expo-esp1/text_sensor/wifi_ssid/state', payload: 'expo-hall' }),
  /** Birth and last will: <topic_prefix>/status online/offline, retained. */
  status: (online: boolean): DeviceFixture => ({ topic: 'expo-esp1/status', payload: online ? 'online' : 'offline', retain: true }),
};

/** Issue 11's topicMaps example: lab/+device/data with `t` in seconds and env.temp / env.rh. */
export const TOPIC_MAP_YAML = `    topicMaps:
      - topic: "lab/+device/data"
        timestamp: { field: t, unit: s }
        fields:
          env.temp: { metric: temperature, unit: "°C" }
          env.rh: { metric: humidity, unit: "%" }
`;

export const topicMap = {
  reading: (nowMs: number, device = 'rig7'): DeviceFixture => ({
    topic: `lab/${device}/data`,
    payload: JSON.stringify({ t: Math.round(nowMs / 1000), env: { temp: 22.4, rh: 40 } }),
  }),
};
