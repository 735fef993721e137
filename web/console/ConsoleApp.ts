/**
 * The console's shell: checks the session on load, shows the login form or the app, routes the
 * URL hash to a view, and runs the pollers the open view needs. Alarms and server health are polled
 * whatever the view (the header shows both); the device list only while the table is on screen.
 * Any 401 stops everything and goes back to the login form.
 */
import { CONSOLE_API, type AlarmSeverity, type ConsoleSession, type DeviceHealthList } from '../../contract/console';
import { setData, setText } from '../shared/dom';
import { AlarmsPanel } from './AlarmsPanel';
import { ConsoleApi, describeError } from './ConsoleApi';
import { DeviceDetail } from './DeviceDetail';
import { DeviceTable } from './DeviceTable';
import { formatDuration, formatTime, SEVERITY_BADGES } from './format';
import { HealthPanel } from './HealthPanel';
import { LoginView } from './LoginView';
import { measureAsync, PERF } from './perfMarks';
import { Poller } from './Poller';
import { parseRoute, type Route } from './route';
import { ServerClock } from './ServerClock';

export const DEVICES_POLL_MS = 2_000;
const TICK_MS = 1_000;

type ViewName = Route['view'];

export class ConsoleApp {
  private readonly api = new ConsoleApi(() => this.sessionLost('Your session has ended. Log in again.'));
  private readonly clock = new ServerClock();
  private readonly root: HTMLElement;
  private readonly shell: HTMLElement;
  private readonly login: LoginView;
  private readonly views: Record<ViewName, HTMLElement>;
  private readonly table: DeviceTable;
  private readonly detail: DeviceDetail;
  private readonly alarms: AlarmsPanel;
  private readonly health: HealthPanel;
  private readonly devicesPoller: Poller;
  private session: ConsoleSession | null = null;
  private route: Route = { view: 'devices' };
  private lastDevicesAt: number | null = null;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly document: Document) {
    const find = (id: string): HTMLElement => {
      const element = document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
      if (!element) throw new Error(`console.html has no [data-testid="${id}"]`);
      return element;
    };
    this.root = find('console-root');
    this.shell = find('app-view');
    this.views = { devices: find('devices-view'), device: find('device-detail'), alarms: find('alarms-view'), server: find('server-view') };
    this.login = new LoginView(find('login-view'), this.api, (session) => this.enter(session));
    this.table = new DeviceTable(this.views.devices, this.clock);
    this.detail = new DeviceDetail(this.views.device, this.api, this.clock);
    const alarmCount = find('alarm-count');
    this.alarms = new AlarmsPanel(this.views.alarms, this.api, this.clock, (count, worst) => this.showAlarmCount(alarmCount, count, worst));
    this.health = new HealthPanel(this.views.server, find('health-summary'), this.api, this.clock);
    this.devicesPoller = new Poller((signal) => this.fetchDevices(signal), {
      intervalMs: DEVICES_POLL_MS,
      onOutcome: (outcome) => {
        if (outcome.ok) return;
        const since = this.lastDevicesAt === null ? '' : ` since ${formatTime(this.lastDevicesAt)}`;
        setData(this.table.status, 'state', 'error');
        setText(this.table.status, `Not updated${since}: ${describeError(outcome.error)}; retrying in ${formatDuration(outcome.nextInMs)}`);
      },
    });
    find('logout').addEventListener('click', () => void this.logOut());
    window.addEventListener('hashchange', () => this.applyRoute());
  }

  async start(): Promise<void> {
    try {
      const session = await this.api.session();
      if (session) this.enter(session);
      else this.showLogin('');
    } catch (error) {
      this.showLogin(`The server did not answer: ${describeError(error)}`);
    }
  }

  private showLogin(note: string): void {
    this.shell.hidden = true;
    setData(this.root, 'view', 'login');
    this.login.show(note);
  }

  private enter(session: ConsoleSession): void {
    this.session = session;
    this.login.hide();
    this.shell.hidden = false;
    setText(this.document.querySelector<HTMLElement>('[data-testid="session-name"]') as HTMLElement, session.name);
    this.alarms.start();
    this.health.start();
    this.ticker ??= setInterval(() => this.tick(), TICK_MS);
    this.applyRoute();
  }

  private sessionLost(note: string): void {
    if (this.session === null) return;
    this.session = null;
    this.devicesPoller.stop();
    this.detail.hide();
    this.alarms.stop();
    this.health.stop();
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.showLogin(note);
  }

  private async logOut(): Promise<void> {
    try {
      await this.api.post(CONSOLE_API.logout);
    } catch {
      // Logged out either way: the form comes back, and the next request would be refused.
    }
    this.sessionLost('You have logged out.');
  }

  private applyRoute(): void {
    if (this.session === null) return;
    const route = parseRoute(window.location.hash);
    const previous = this.route;
    this.route = route;
    setData(this.root, 'view', route.view);
    for (const [name, element] of Object.entries(this.views) as [ViewName, HTMLElement][]) element.hidden = name !== route.view;
    for (const tab of this.document.querySelectorAll<HTMLElement>('.shell__tab')) {
      const current = tab.dataset['view'] === (route.view === 'device' ? 'devices' : route.view);
      if (current) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
    }
    if (route.view === 'devices') this.devicesPoller.start();
    else this.devicesPoller.stop();
    if (route.view === 'device') {
      this.detail.show(route.booth, route.device);
      if (previous.view !== 'device') this.views.device.querySelector<HTMLElement>('[data-testid="detail-back"]')?.focus();
    } else {
      this.detail.hide();
    }
  }

  private async fetchDevices(signal: AbortSignal): Promise<void> {
    const list = await measureAsync(PERF.devicesFetch, () => this.api.getJson<DeviceHealthList>(CONSOLE_API.devices, signal));
    this.clock.update(list.serverTime);
    this.lastDevicesAt = Date.now();
    this.table.setDevices(list);
    setData(this.table.status, 'state', 'ok');
    setText(this.table.status, `Updated ${formatTime(this.lastDevicesAt)}`);
  }

  private showAlarmCount(badge: HTMLElement, count: number, worst: AlarmSeverity | null): void {
    setData(badge, 'count', String(count));
    setData(badge, 'tone', worst === null ? 'none' : SEVERITY_BADGES[worst].tone);
    setText(badge, count === 0 ? '' : String(count));
    badge.setAttribute('aria-label', count === 0 ? 'none waiting' : `${count} waiting for acknowledgement`);
  }

  private tick(): void {
    if (this.route.view === 'devices') this.table.tick();
    if (this.route.view === 'device') this.detail.tick();
    if (this.route.view === 'alarms') this.alarms.tick();
  }
}
