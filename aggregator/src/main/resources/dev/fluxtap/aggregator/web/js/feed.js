// The live feed. Views' data is pushed over the WebSocket /ws (one subscription per task whose view is shown,
// unsubscribed while the view is hidden or the tab is in the background); tasks without a stream (the history charts)
// and, when the socket failed three times in a row without ever opening, every task are polled over REST instead.
// A lost socket or a failed request switches the feed to "reconnecting" and retries with exponential backoff (1 s
// doubling to 30 s); after four failed retries it shows "disconnected" and keeps retrying.

import * as api from './api.js';
import { BadRequest, Unauthorized, Unavailable } from './api.js';

const MAX_BACKOFF_MS = 30_000;
const RECONNECTING_ATTEMPTS = 4;
const PING_MS = 30_000; // the server closes a socket idle for --http-idle-timeout (60 s)
const SOCKET_FAILURES_BEFORE_POLLING = 3;

export class Feed {
  constructor({ onState, onUnauthorized, onError }) {
    this.tasks = [];
    this.state = 'connecting';
    this.failures = 0;
    this.onState = onState;
    this.onUnauthorized = onUnauthorized;
    this.onError = onError;
    this.timer = null;
    this.retryAt = 0;
    this.mode = 'ws'; // 'polling' once the socket could not be opened SOCKET_FAILURES_BEFORE_POLLING times in a row
    this.socket = null;
    this.socketOpen = false;
    this.everOpened = false;
    this.socketFailures = 0;
    this.subscriptions = new Map(); // task name -> {id, key, task, refused}
    this.nextId = 1;
    this.messages = 0;
    this.pingTimer = null;
    this.probing = false;
    document.addEventListener('visibilitychange', () => (document.hidden ? this.pause() : this.resume()));
    window.addEventListener('online', () => this.retryNow());
    window.addEventListener('offline', () => {
      this.dropSocket();
      this.fail(new Unavailable('the browser is offline'), true);
    });
  }

  /**
   * A task: {name, intervalMs, active: () => bool, run: async () => void, onBadRequest?: (e) => void, stream?}, where
   * stream = {name, intervalMs, filter: () => object, onData: (payload, seq) => void, onError?: (BadRequest) => void,
   * onStop?: () => void}. A task with a stream is pushed over the socket, its run() is the polling fallback.
   */
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
    this.unsubscribeAll();
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
    if (document.hidden || this.state === 'auth' || this.state === 'paused') return;
    const now = Date.now();
    if (now < this.retryAt) {
      this.setState(this.state, Math.ceil((this.retryAt - now) / 1000));
      this.schedule(Math.min(1000, this.retryAt - now));
      return;
    }
    if (this.mode === 'ws') {
      if (!this.socket && !this.probing) this.connect();
      else this.syncSubscriptions();
    }
    for (const t of this.tasks) {
      if (this.mode === 'ws' && t.stream) continue;
      if (!t.inFlight && t.active() && now >= t.next) this.runTask(t, now);
    }
    this.schedule(200);
  }

  async runTask(t, now) {
    t.inFlight = true;
    t.next = now + t.intervalMs;
    try {
      await t.run();
      if (this.mode === 'polling' || this.socketOpen) { // while the socket is down, its backoff goes on
        this.failures = 0;
        this.retryAt = 0;
        this.setState('live');
      }
    } catch (e) {
      if (e instanceof BadRequest) {
        t.onBadRequest?.(e);
      } else if (e instanceof Unauthorized) {
        this.unauthorized();
      } else if (e instanceof Unavailable) {
        this.fail(e);
      } else {
        console.error(`fluxtap: ${t.name} failed to render`, e);
      }
    } finally {
      t.inFlight = false;
    }
  }

  // ------------------------------------------------------------ the socket

  connect() {
    const token = api.token();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    let socket;
    try {
      socket = new WebSocket(url, token ? ['fluxtap.v1', `bearer.${token}`] : ['fluxtap.v1']);
    } catch (e) {
      this.socketFailures = SOCKET_FAILURES_BEFORE_POLLING; // this browser cannot open it at all
      this.socketRefused();
      return;
    }
    this.socket = socket;
    socket.onopen = () => this.opened(socket);
    socket.onmessage = (e) => this.received(e.data);
    socket.onclose = (e) => this.closed(socket, e);
  }

  opened(socket) {
    if (socket !== this.socket) return;
    this.socketOpen = true;
    this.everOpened = true;
    this.socketFailures = 0;
    this.failures = 0;
    this.retryAt = 0;
    this.subscriptions.clear();
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_MS);
    this.setState('live');
    this.syncSubscriptions();
  }

  closed(socket, event) {
    if (socket !== this.socket) return;
    const wasOpen = this.socketOpen;
    this.forgetSocket();
    if (document.hidden || this.state === 'paused') return; // reconnects when shown again
    if (!wasOpen) {
      this.socketRefused();
    } else if (event.code === 1001) {
      this.fail(new Unavailable('the aggregator is shutting down'));
    } else {
      this.fail(new Unavailable(`the live feed closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`));
    }
  }

  /**
   * The upgrade failed. A browser does not tell why, so one REST request does: 401 asks for the token; otherwise it
   * counts towards the fallback to polling.
   */
  async socketRefused() {
    this.probing = true;
    try {
      await api.get('/api/v1/metrics/summary', { limit: 1 });
    } catch (e) {
      if (e instanceof Unauthorized) {
        this.unauthorized();
        return;
      }
    } finally {
      this.probing = false;
    }
    this.socketFailures++;
    if (!this.everOpened && this.socketFailures >= SOCKET_FAILURES_BEFORE_POLLING) {
      console.warn('fluxtap: the WebSocket /ws cannot be opened; polling the REST API instead');
      this.mode = 'polling';
      this.retryNow();
      return;
    }
    this.fail(new Unavailable('the live feed /ws could not be opened'));
  }

  forgetSocket() {
    clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.socket = null;
    this.socketOpen = false;
    for (const s of this.subscriptions.values()) s.task.stream.onStop?.();
    this.subscriptions.clear();
  }

  dropSocket() {
    const socket = this.socket;
    this.forgetSocket();
    socket?.close(1000, 'client offline');
  }

  send(message) {
    if (this.socketOpen) this.socket.send(JSON.stringify(message));
  }

  /** Subscribes the tasks whose view is shown, unsubscribes the others, and re-subscribes those whose filter changed. */
  syncSubscriptions() {
    if (!this.socketOpen || document.hidden) return;
    for (const t of this.tasks) {
      if (!t.stream) continue;
      const filter = t.active() ? t.stream.filter() : null;
      const key = filter && JSON.stringify(filter);
      const have = this.subscriptions.get(t.name);
      if (have && have.key === key) continue;
      if (have) this.unsubscribe(t.name);
      if (key) this.subscribe(t, filter, key);
    }
  }

  subscribe(task, filter, key) {
    const id = `${task.name}-${this.nextId++}`;
    this.subscriptions.set(task.name, { id, key, task, refused: false });
    const message = { type: 'subscribe', id, stream: task.stream.name, filter };
    if (task.stream.intervalMs) message.intervalMs = task.stream.intervalMs;
    this.send(message);
  }

  unsubscribe(name) {
    const s = this.subscriptions.get(name);
    this.subscriptions.delete(name);
    if (!s.refused) this.send({ type: 'unsubscribe', id: s.id });
    s.task.stream.onStop?.();
  }

  unsubscribeAll() {
    for (const name of [...this.subscriptions.keys()]) this.unsubscribe(name);
  }

  received(text) {
    this.messages++;
    let m;
    try {
      m = JSON.parse(text);
    } catch (e) {
      console.error('fluxtap: the live feed sent something that is not JSON', text);
      return;
    }
    const s = m.id == null ? null : [...this.subscriptions.values()].find((x) => x.id === m.id);
    if (m.type === 'data') {
      if (!s) return; // late data of a subscription that was just ended
      try {
        s.task.stream.onData(m.payload, m.seq);
      } catch (e) {
        console.error(`fluxtap: ${s.task.name} failed to render`, e);
      }
      if (this.state !== 'live') this.setState('live');
    } else if (m.type === 'lagged') {
      // the server dropped updates for us: a fresh subscription starts again from a full answer
      if (s) this.unsubscribe(s.task.name);
      this.syncSubscriptions();
    } else if (m.type === 'error') {
      const parameter = /^filter\.([^:]+):/.exec(m.reason ?? '')?.[1];
      if (s) s.refused = true; // stays refused until its filter changes
      if (s && parameter && s.task.stream.onError) {
        s.task.stream.onError(new BadRequest({ message: m.reason.replace(/^filter\.[^:]+:\s*/, ''), parameter }));
      } else {
        console.warn(`fluxtap: the live feed answered an error${m.id ? ` for ${m.id}` : ''}: ${m.reason}`);
        this.onError?.(m.reason);
      }
    }
  }

  // ------------------------------------------------------------ state

  unauthorized() {
    this.dropSocket();
    this.setState('auth');
    this.onUnauthorized();
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
    if (changed) this.onState(state, retryInSeconds, this.lastError, this.mode);
  }
}
