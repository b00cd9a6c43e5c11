// Polls the REST API: each task at its own interval while its view is shown, one request in flight per task,
// nothing while the tab is hidden. A failed request switches the feed to "reconnecting" and retries with exponential
// backoff (1 s doubling to 30 s); after four failed retries it shows "disconnected" and keeps retrying.

import { BadRequest, Unauthorized, Unavailable } from './api.js';

const MAX_BACKOFF_MS = 30_000;
const RECONNECTING_ATTEMPTS = 4;

export class Feed {
  constructor({ onState, onUnauthorized }) {
    this.tasks = [];
    this.state = 'connecting';
    this.failures = 0;
    this.onState = onState;
    this.onUnauthorized = onUnauthorized;
    this.timer = null;
    this.retryAt = 0;
    document.addEventListener('visibilitychange', () => (document.hidden ? this.pause() : this.resume()));
    window.addEventListener('online', () => this.retryNow());
    window.addEventListener('offline', () => this.fail(new Unavailable('the browser is offline'), true));
  }

  /** A task: {name, intervalMs, active: () => bool, run: async () => void, onBadRequest?: (e) => void}. */
  add(task) {
    this.tasks.push({ ...task, next: 0, inFlight: false });
  }

  start() {
    if (!document.hidden) this.schedule(0);
  }

  /** Runs the tasks of a newly shown view now instead of at their next tick. */
  refresh() {
    for (const t of this.tasks) t.next = 0;
    if (this.state === 'live' || this.state === 'connecting') this.schedule(0);
  }

  pause() {
    clearTimeout(this.timer);
    this.timer = null;
    this.setState('paused');
  }

  resume() {
    this.setState(this.failures ? 'reconnecting' : 'connecting');
    this.refresh();
    this.schedule(0);
  }

  retryNow() {
    this.retryAt = 0;
    this.refresh();
    this.schedule(0);
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delay);
  }

  tick() {
    this.timer = null;
    if (document.hidden || this.state === 'auth') return;
    const now = Date.now();
    if (now < this.retryAt) {
      this.setState(this.state, Math.ceil((this.retryAt - now) / 1000));
      this.schedule(Math.min(1000, this.retryAt - now));
      return;
    }
    for (const t of this.tasks) {
      if (!t.inFlight && t.active() && now >= t.next) this.runTask(t, now);
    }
    this.schedule(200);
  }

  async runTask(t, now) {
    t.inFlight = true;
    t.next = now + t.intervalMs;
    try {
      await t.run();
      this.failures = 0;
      this.retryAt = 0;
      this.setState('live');
    } catch (e) {
      if (e instanceof BadRequest) {
        t.onBadRequest?.(e);
      } else if (e instanceof Unauthorized) {
        this.setState('auth');
        this.onUnauthorized();
      } else if (e instanceof Unavailable) {
        this.fail(e);
      } else {
        console.error(`fluxtap: ${t.name} failed to render`, e);
      }
    } finally {
      t.inFlight = false;
    }
  }

  fail(error, offline = false) {
    if (this.retryAt > Date.now()) return; // several tasks failing at once count once
    this.failures++;
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failures - 1));
    this.retryAt = Date.now() + backoff;
    for (const t of this.tasks) t.next = 0;
    this.lastError = error.message;
    const state = offline || this.failures > RECONNECTING_ATTEMPTS ? 'disconnected' : 'reconnecting';
    this.setState(state, Math.ceil(backoff / 1000));
    this.schedule(Math.min(1000, backoff));
  }

  /** After the user entered a token. */
  authorized() {
    this.state = 'connecting';
    this.retryNow();
  }

  setState(state, retryInSeconds) {
    const changed = state !== this.state || retryInSeconds !== this.retryIn;
    this.state = state;
    this.retryIn = retryInSeconds;
    if (changed) this.onState(state, retryInSeconds, this.lastError);
  }
}
