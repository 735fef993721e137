/** The technician console page (console.html, served at /console). */
import { ConsoleApp } from './ConsoleApp';

const app = new ConsoleApp(document);
void app.start().finally(() => document.querySelector('[data-testid="console-loading"]')?.remove());
