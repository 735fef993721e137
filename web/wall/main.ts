/**
 * Wires the wall together: socket events only update the model and mark work dirty; the render
 * loop draws once per animation frame; a one-second tick refreshes the clock, the connection
 * indicator and ages, and redraws the charts with their window slid forward.
 */
import { describeConnection, initialConnectionState, nextConnectionState, type ConnectionState } from './connectionStatus';
import { RenderLoop } from './RenderLoop';
import { WallConnection } from './WallConnection';
import { WallModel } from './WallModel';
import { readWallParams } from './wallParams';
import { WallScreen } from './WallScreen';

const TICK_MS = 1_000;

const params = readWallParams(window.location.search);
const model = new WallModel({ windowMs: params.windowMs });
const loop = new RenderLoop((work) => screen.render(work));
const screen = new WallScreen(document, model, (keys) => loop.markDevices(keys));
let connection: ConnectionState = initialConnectionState(Date.now());

new WallConnection(params, {
  onSnapshot: (snapshot) => loop.markChange(model.applySnapshot(snapshot)),
  onFrame: (frame) => loop.markChange(model.applyFrame(frame)),
  onStatus: (event) => {
    connection = nextConnectionState(connection, event);
    screen.renderConnection(describeConnection(connection, Date.now()));
  },
});

function tick(): void {
  const now = Date.now();
  screen.renderClock(now);
  screen.renderConnection(describeConnection(connection, now));
  model.trimToWindow(model.serverNow(now));
  loop.markEveryTile();
}

tick();
setInterval(tick, TICK_MS);
