/**
 * The few InfluxDB 1.x HTTP calls the bench makes itself, outside the server: create a database,
 * count what was stored, post line protocol.
 */

export class InfluxHttp {
  constructor(readonly url: string) {}

  async createDatabase(database: string): Promise<void> {
    await this.query(`CREATE DATABASE "${database}"`, database, 'POST');
  }

  /** count(field) of the telemetry measurement for devices whose id starts with `${devicePrefix}-`, within [fromMs, toMs]. */
  async countReadings(database: string, field: string, devicePrefix: string, fromMs: number, toMs: number): Promise<number> {
    const statement = `SELECT count("${field}") FROM "telemetry" WHERE "device" =~ /^${devicePrefix}-/ ` + `AND time >= ${fromMs}ms AND time <= ${toMs}ms`;
    const rows = await this.query(statement, database, 'GET');
    const value = rows[0]?.[1];
    return typeof value === 'number' ? value : 0;
  }

  /** POST /write with ms precision; throws unless influxd answers 204. */
  async write(database: string, body: string): Promise<void> {
    const response = await fetch(`${this.url}/write?db=${encodeURIComponent(database)}&precision=ms`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(30_000),
    });
    if (response.status !== 204) throw new Error(`influxd /write answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    await response.body?.cancel();
  }

  /** Rows of the first series of the first statement; throws on any error InfluxDB reports. */
  private async query(statement: string, database: string, method: 'GET' | 'POST'): Promise<unknown[][]> {
    const params = new URLSearchParams({ db: database, epoch: 'ms', q: statement });
    const response = await fetch(`${this.url}/query?${params.toString()}`, { method, signal: AbortSignal.timeout(15_000) });
    const body = (await response.json()) as { error?: string; results?: { error?: string; series?: { values?: unknown[][] }[] }[] };
    const error = body.error ?? body.results?.[0]?.error;
    if (!response.ok || error) throw new Error(`InfluxQL ${statement}: ${error ?? `HTTP ${response.status}`}`);
    return body.results?.[0]?.series?.[0]?.values ?? [];
  }
}
