/**
 * Wires the wall together: socket events only update the model and mark work dirty; the render
 * loop draws once per animation frame; a one-second tick moves the scene rotation, refreshes the
 * clock, the connection indicator and ages, and redraws the charts with their window slid forward.
 */
import type { WallDashboard } from '../../contract/dashboard';
import { displayTableAsData } from '../../contract/device';
import { buildAutoScenes } from './autoScenes';
import { describeConnection, initialConnectionState, nextConnectionState, type ConnectionState } from './connectionStatus';
import { RenderLoop } from './RenderLoop';
import { SceneRotation } from './SceneRotation';
import { WallConnection } from './WallConnection';
import { WallModel } from './WallModel';
import { readWallParams } from './wallParams';
import { WallScreen } from './WallScreen';
import { WallText } from './wallText';
import { forgetReloadReason, randomWallId, takeResumeScene, Watchdog, wallReport } from './Watchdog';

const TICK_MS = 1_000;

const params = readWallParams(window.location.search);
const text = new WallText(params.lang);
const model = new WallModel({ windowMs: params.windowMs });
const rotation = new SceneRotation(params.scene, takeResumeScene(sessionStorage), Date.now());
const loop = new RenderLoop((work) => screen.render(work));
const screen = new WallScreen(document, model, text, { requestRender: () => loop.markDevices([]) });
const watchdog = new Watchdog({
  heapCeilingBytes: params.heapCeilingMb * 1024 * 1024,
  local: localStorage,
  session: sessionStorage,
  currentScene: () => screen.sceneId,
  reload: () => window.location.reload(),
});
watchdog.start(window);

let dashboard: WallDashboard | null = null;
let connection: ConnectionState = initialConnectionState(Date.now());

new WallConnection(params, () => wallReport(localStorage, sessionStorage, randomWallId), {
  onDashboard: (next) => {
    if (dashboard?.version === next.version) return;
    dashboard = next;
    screen.applyBranding(next.branding);
    // The booth's names for metrics: every tile and panel relabels with the next render.
    text.setMetricOverrides(displayTableAsData(next.metricDisplay));
    loop.markChange({ membership: true, devices: new Set([...model.devices()].map((device) => device.key)) });
    tick();
  },
  onAlarms: (alarms) => {
    screen.setServerAlarms(alarms);
    loop.markEveryTile();
  },
  onSnapshot: (snapshot) => loop.markChange(model.applySnapshot(snapshot)),
  onFrame: (frame) => loop.markChange(model.applyFrame(frame)),
  onStatus: (event) => {
    connection = nextConnectionState(connection, event);
    screen.renderConnection(describeConnection(connection, Date.now(), text));
  },
  onReported: () => forgetReloadReason(sessionStorage),
});

function tick(): void {
  const now = Date.now();
  // Nothing goes on stage before the server has said which scenes there are: starting on a stand-in
  // would lose the scene to resume after a reload. Without scenes in a dashboard file they follow the
  // devices, so a new kind gets its scene within a second.
  if (dashboard !== null) rotation.setScenes(dashboard.scenes.length === 0 ? buildAutoScenes(model.devices()) : dashboard.scenes);
  const onStage = screen.sceneId;
  if (onStage !== null) rotation.setPages(onStage, screen.scenePages());
  if (screen.showScene(rotation.current(now))) loop.markChange({ membership: true, devices: new Set() });
  screen.renderClock(now);
  screen.renderConnection(describeConnection(connection, now, text));
  model.trimToWindow(model.serverNow(now));
  loop.markEveryTile();
}

tick();
setInterval(tick, TICK_MS);
