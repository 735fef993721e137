/**
 * The login form: a name (recorded on acknowledgements) and the console password. A refusal says
 * "Wrong password" and keeps the name; the password field is cleared and focused for another try.
 */
import type { ConsoleSession } from '../../contract/console';
import { setData, setText } from '../shared/dom';
import { describeError, type ConsoleApi } from './ConsoleApi';

export class LoginView {
  private readonly form: HTMLFormElement;
  private readonly name: HTMLInputElement;
  private readonly password: HTMLInputElement;
  private readonly submit: HTMLButtonElement;
  private readonly error: HTMLElement;
  private readonly note: HTMLElement;

  constructor(
    readonly element: HTMLElement,
    private readonly api: ConsoleApi,
    private readonly onLoggedIn: (session: ConsoleSession) => void,
  ) {
    const find = <T extends HTMLElement>(id: string): T => element.querySelector<T>(`[data-testid="${id}"]`) as T;
    this.form = find('login-form');
    this.name = find('login-name');
    this.password = find('login-password');
    this.submit = find('login-submit');
    this.error = find('login-error');
    this.note = find('login-note');
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.logIn();
    });
  }

  /** `note` says why the form is back (session ended, logged out); empty on first load. */
  show(note = ''): void {
    this.element.hidden = false;
    setText(this.note, note);
    this.password.value = '';
    setText(this.error, '');
    (this.name.value === '' ? this.name : this.password).focus();
  }

  hide(): void {
    this.element.hidden = true;
  }

  private async logIn(): Promise<void> {
    const name = this.name.value.trim();
    const password = this.password.value;
    if (name === '') return this.fail('Enter your name: it is recorded when you acknowledge an alarm.', this.name);
    if (password === '') return this.fail('Enter the console password.', this.password);
    this.submit.disabled = true;
    setText(this.error, '');
    setData(this.element, 'state', 'busy');
    try {
      if ((await this.api.login({ name, password })) === 'refused') return this.fail('Wrong password', this.password);
      const session = await this.api.session();
      if (session === null) return this.fail('Logged in, but the browser did not keep the session cookie. Are cookies blocked?', this.password);
      this.password.value = '';
      setData(this.element, 'state', 'ok');
      this.onLoggedIn(session);
    } catch (error) {
      this.fail(`Could not log in: ${describeError(error)}`, this.password);
    } finally {
      this.submit.disabled = false;
    }
  }

  private fail(message: string, field: HTMLInputElement): void {
    setData(this.element, 'state', 'refused');
    setText(this.error, message);
    if (field === this.password) this.password.value = '';
    field.focus();
  }
}
