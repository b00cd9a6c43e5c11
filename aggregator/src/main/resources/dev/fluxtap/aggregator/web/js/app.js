// The dashboard: client-side routes, theme, token prompt, and the views fed by the WebSocket /ws (REST polling when
// the socket cannot be opened).

import * as api from './api.js';
import { Feed } from './feed.js';
import * as fmt from './format.js';
import * as charts from './charts.js';
import { VirtualTable } from './vtable.js';

const ROUTES = { '/': 'overview', '/flows': 'flows', '/agents': 'agents', '/connections': 'connections' };
const $ = (id) => document.getElementById(id);

const state = {
  view: 'overview',
  historyWindow: '15m',
  talkers: { by: 'host', window: '5m', metric: 'bytes' },
  flowFilters: {},
  eventTimeMs: null,
};

// ---------------------------------------------------------------- routing

function route(path, push) {
  state.view = ROUTES[path] ?? 'overview';
  if (push && location.pathname !== path) history.pushState({}, '', path);
  for (const v of document.querySelectorAll('.view')) v.hidden = v.dataset.view !== state.view;
  for (const a of document.querySelectorAll('.tabs a')) a.classList.toggle('active', a.dataset.view === state.view);
  document.title = `Fluxtap · ${state.view[0].toUpperCase()}${state.view.slice(1)}`;
  feed.refresh();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  route(new URL(a.href).pathname, true);
});
window.addEventListener('popstate', () => route(location.pathname, false));

// ---------------------------------------------------------------- theme

const THEME_KEY = 'fluxtap.theme';

function setTheme(theme) {
  document.documentElement.dataset.theme = theme;
  try { localStorage.setItem(THEME_KEY, theme); } catch (e) { /* private mode: the choice lasts for this page */ }
  charts.applyTheme(allCharts());
}

$('theme-toggle').addEventListener('click', () =>
  setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));

// ---------------------------------------------------------------- connection indicator and token

const LABELS = { live: 'live', connecting: 'connecting', paused: 'paused', auth: 'token required' };

function showState(s, retryIn, error, mode) {
  const button = $('conn');
  button.className = `conn conn-${s}`;
  button.dataset.state = s;
  button.dataset.mode = mode;
  let label = LABELS[s] ?? s;
  if (s === 'live' && mode === 'polling') label = 'live (polling)';
  if (s === 'reconnecting' || s === 'disconnected') label = `${s} · retry in ${retryIn ?? 0} s`;
  $('conn-label').textContent = label;
  button.title = error && s !== 'live' ? `Last error: ${error}. Click to retry now.` : 'Feed status';
}

$('conn').addEventListener('click', () => {
  if (feed.state === 'reconnecting' || feed.state === 'disconnected') feed.retryNow();
});

function askForToken() {
  const dialog = $('token-dialog');
  $('token-error').hidden = !api.token();
  if (!dialog.open) dialog.showModal();
  $('token-input').focus();
}

$('token-form').addEventListener('submit', () => {
  api.setToken($('token-input').value.trim());
  $('token-input').value = '';
  feed.authorized();
});

/** A short message in the corner that goes away by itself: the feed's errors are worth seeing, not worth a dialog. */
function toast(text) {
  let box = $('toasts');
  if (!box) {
    box = document.createElement('div');
    box.id = 'toasts';
    box.className = 'toasts';
    box.setAttribute('role', 'status');
    document.body.append(box);
  }
  const t = document.createElement('div');
  t.className = 'toast';
  t.textContent = text;
  box.append(t);
  while (box.children.length > 3) box.firstChild.remove();
  setTimeout(() => t.remove(), 6000);
}

const feed = new Feed({ onState: showState, onUnauthorized: askForToken, onError: (reason) => toast(`Live feed: ${reason}`) });

// ---------------------------------------------------------------- segmented controls

function segmented(id, initial, onChange) {
  const group = $(id);
  group.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-value]');
    if (!b) return;
    for (const x of group.children) x.classList.toggle('on', x === b);
    onChange(b.dataset.value);
    feed.refresh();
  });
  for (const x of group.children) x.classList.toggle('on', x.dataset.value === initial);
}

segmented('history-window', state.historyWindow, (v) => { state.historyWindow = v; });
segmented('talkers-by', state.talkers.by, (v) => { state.talkers.by = v; });
segmented('talkers-window', state.talkers.window, (v) => { state.talkers.window = v; });
segmented('talkers-metric', state.talkers.metric, (v) => { state.talkers.metric = v; });

// ---------------------------------------------------------------- overview

const trafficChart = charts.trafficChart($('chart-traffic'));
const protocolChart = charts.protocolChart($('chart-protocols'));
const rttChart = charts.rttChart($('chart-rtt'));

function allCharts() {
  return [trafficChart, protocolChart, rttChart];
}

/** Chart points from a history, starting at the first measured slot (the window may reach back before any traffic). */
function points(history) {
  const first = history.points.findIndex((p) => p.value);
  if (first < 0) return [];
  return history.points.slice(first).filter((p) => p.value != null).map((p) => ({ x: Date.parse(p.ts), y: p.value }));
}

function historyStep(window) {
  return window === '60m' ? '30s' : '10s';
}

const SUMMARY_FILTER = { limit: 50 };

async function loadSummary() {
  renderSummary(await api.get('/api/v1/metrics/summary', SUMMARY_FILTER));
}

function renderSummary(s) {
  const t = s.traffic;
  state.eventTimeMs = s.eventTime ? Date.parse(s.eventTime) : null;
  $('event-time').textContent = s.eventTime ? `event time ${fmt.dateTime(s.eventTime)}` : 'no traffic yet';
  $('kpi-bps').textContent = fmt.bits(t.bps);
  $('kpi-pps').textContent = fmt.rate(t.pps);
  $('kpi-flows').textContent = fmt.count(t.activeFlows);
  $('kpi-conns').textContent = `${fmt.count(s.connections)} TCP sockets reported`;
  $('kpi-rtt').textContent = fmt.micros(t.rttMicros.p50);
  $('kpi-rtt-sub').textContent = `p99 ${fmt.micros(t.rttMicros.p99)} · ${fmt.count(t.rttMicros.samples)} samples`;
  $('kpi-retx').textContent = fmt.percent(t.retransmitRate);
  $('kpi-retx-sub').textContent = `${fmt.count(t.tcpRetransmits)} of ${fmt.count(t.tcpSegments)} segments`;
  $('rtt-p50').textContent = fmt.micros(t.rttMicros.p50);
  $('rtt-p90').textContent = fmt.micros(t.rttMicros.p90);
  $('rtt-p99').textContent = fmt.micros(t.rttMicros.p99);
  $('retx-rate').textContent = fmt.percent(t.retransmitRate);
  $('tcp-samples').textContent = `${fmt.count(t.rttMicros.samples)} RTT samples`;

  const protocols = [...t.protocols].sort((a, b) => b.bytes - a.bytes);
  protocolChart.data.labels = protocols.map((p) => fmt.protocolName(p.protocol));
  protocolChart.data.datasets[0].data = protocols.map((p) => p.bytes);
  protocolChart.update('none');
  const colors = charts.seriesColors();
  $('protocol-legend').replaceChildren(...protocols.map((p, i) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'sw';
    sw.style.background = colors[i % colors.length];
    const pct = document.createElement('span');
    pct.className = 'pct';
    pct.textContent = p.share > 0 && p.share < 0.0005 ? '< 0.1 %' : fmt.percent(p.share, 1);
    li.append(sw, fmt.protocolName(p.protocol), pct);
    return li;
  }));
  connectionsByPort = s.connectionsByPort;
}

async function loadHistory() {
  const window = state.historyWindow;
  const step = historyStep(window);
  const [bps, pps, p50, p99] = await Promise.all(['bps', 'pps', 'rttP50', 'rttP99']
    .map((metric) => api.get('/api/v1/metrics/history', { metric, window, step })));
  setSeries(trafficChart, [points(bps), points(pps)]);
  setSeries(rttChart, [points(p50), points(p99)]);
}

/** New data, with the time axis fitted to it (no padding before the first point). */
function setSeries(chart, series) {
  series.forEach((data, i) => { chart.data.datasets[i].data = data; });
  const xs = series.flat().map((p) => p.x);
  chart.options.scales.x.min = xs.length ? Math.min(...xs) : undefined;
  chart.options.scales.x.max = xs.length ? Math.max(...xs) : undefined;
  chart.update('none');
}

const talkersFilter = () => ({ ...state.talkers, limit: 10 });

async function loadTalkers() {
  renderTalkers(await api.get('/api/v1/top-talkers', talkersFilter()));
}

function renderTalkers(r) {
  const by = r.by ?? state.talkers.by;
  const metric = r.metric ?? state.talkers.metric;
  const window = r.window ?? state.talkers.window;
  const max = Math.max(1, ...r.talkers.map((t) => t.value));
  const format = metric === 'bytes' ? fmt.bytes : (n) => `${fmt.count(n)} pkts`;
  const list = $('talkers');
  list.replaceChildren(...r.talkers.map((t, i) => {
    const li = document.createElement('li');
    li.className = 'talker-row';
    li.innerHTML = '<span class="talker-rank"></span><div class="talker-main"><div class="talker-key"></div>'
      + '<div class="talker-bar"><span></span></div></div><span class="talker-value"></span>';
    li.querySelector('.talker-rank').textContent = i + 1;
    li.querySelector('.talker-key').textContent = fmt.talkerKey(by, t.key);
    li.querySelector('.talker-key').title = t.key;
    li.querySelector('.talker-bar > span').style.width = `${(100 * t.value) / max}%`;
    li.querySelector('.talker-value').textContent = format(t.value);
    return li;
  }));
  if (!r.talkers.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = `No traffic in the last ${window}.`;
    list.append(li);
  }
  $('talkers-note').textContent = r.talkers.length
    ? `${format(r.total)} in total over ${r.window} ending ${fmt.dateTime(r.windowEnd)}`
      + (r.exact ? '' : ` · approximate: each value may be over by at most ${format(r.maxError)}`)
    : '';
}

// ---------------------------------------------------------------- flows

const STATE_CLASS = { ESTABLISHED: 'st-good', CLOSED: 'st-muted', RESET: 'st-bad', SYN_SENT: 'st-warn', SYN_RECEIVED: 'st-warn',
  FIN_WAIT: 'st-muted', MIDSTREAM: '' };

const flowState = (f) => f.tcpState ?? (f.ended ? 'ENDED' : 'ACTIVE');

const flowsTable = new VirtualTable($('flows-table'), {
  emptyText: 'No flows match.',
  sortKey: 'lastSeen',
  columns: [
    { key: 'protocol', label: 'Proto', width: '70px', text: (f) => fmt.protocolName(f.protocol) },
    { key: 'src', label: 'Source', width: 'minmax(150px, 1.3fr)', align: 'mono', text: (f) => fmt.endpoint(f.srcIp, f.srcPort, f.protocol) },
    { key: 'dst', label: 'Destination', width: 'minmax(150px, 1.3fr)', align: 'mono',
      text: (f) => (f.protocol === 1 || f.protocol === 58 ? `${f.dstIp} type ${f.dstPort >> 8}` : fmt.endpoint(f.dstIp, f.dstPort, f.protocol)) },
    { key: 'state', label: 'State', width: '120px', text: flowState, cls: (f) => STATE_CLASS[flowState(f)] ?? '' },
    { key: 'packets', label: 'Packets', width: '90px', align: 'num', sort: (f) => f.fwdPackets + f.revPackets, text: (f) => fmt.count(f.fwdPackets + f.revPackets) },
    { key: 'bytes', label: 'Bytes', width: '96px', align: 'num', sort: (f) => f.fwdBytes + f.revBytes, text: (f) => fmt.bytes(f.fwdBytes + f.revBytes) },
    { key: 'fwd', label: 'Fwd', width: '90px', align: 'num', sort: (f) => f.fwdBytes, text: (f) => fmt.bytes(f.fwdBytes) },
    { key: 'rev', label: 'Rev', width: '90px', align: 'num', sort: (f) => f.revBytes, text: (f) => fmt.bytes(f.revBytes) },
    { key: 'rtt', label: 'SYN RTT', width: '90px', align: 'num', sort: (f) => f.handshakeRttMicros ?? -1, text: (f) => fmt.micros(f.handshakeRttMicros) },
    { key: 'retx', label: 'Retx', width: '64px', align: 'num', sort: (f) => f.retransmitsFwd + f.retransmitsRev, text: (f) => fmt.count(f.retransmitsFwd + f.retransmitsRev) },
    { key: 'process', label: 'Process', width: 'minmax(90px, 0.8fr)', text: (f) => f.sockets?.find((s) => s.processName)?.processName ?? '' },
    { key: 'agents', label: 'Agents', width: 'minmax(90px, 0.8fr)', text: (f) => f.agents.join(', ') },
    { key: 'lastSeen', label: 'Last seen', width: '96px', sort: (f) => f.lastSeen, text: (f) => f.lastSeen.substring(11, 19) },
  ],
});

const FLOW_LIMIT = 5000;
const flowsFilter = () => ({ ...state.flowFilters, limit: FLOW_LIMIT });

async function loadFlows() {
  try {
    const answer = await api.get('/api/v1/flows', flowsFilter());
    showFlows(new Map(answer.flows.map((f) => [f.flowId, f])), answer);
  } catch (e) {
    if (e instanceof api.BadRequest) {
      flowsRefused(e);
      return;
    }
    throw e;
  }
}

/**
 * `answer` is the whole answer the flows come from: in a cluster, peers that did not answer in time are listed in its
 * missingPeers and their flows are missing from the table, which says so rather than passing for everything.
 */
function showFlows(byId, answer) {
  $('flows-error').hidden = true;
  const missing = answer.complete === false ? answer.missingPeers ?? [] : [];
  $('flows-incomplete').textContent = missing.length
    ? `Incomplete: no answer from ${missing.join(', ')}; the flows of their partitions are not shown.` : '';
  $('flows-incomplete').hidden = !missing.length;
  let flows = [...byId.values()];
  if (flows.length > FLOW_LIMIT) {
    flows = flows.sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : -1)).slice(FLOW_LIMIT);
    for (const f of flows) byId.delete(f.flowId);
    flows = [...byId.values()];
  }
  flowsTable.setRows(flows);
  $('flows-count').textContent = flows.length >= FLOW_LIMIT ? `newest ${fmt.count(FLOW_LIMIT)}` : fmt.count(flows.length);
}

function flowsRefused(e) {
  $('flows-incomplete').hidden = true;
  $('flows-error').textContent = `${e.parameter ? `${e.parameter}: ` : ''}${e.message}`;
  $('flows-error').hidden = false;
  flowsTable.setRows([]);
  $('flows-count').textContent = '0';
}

/**
 * The flows stream: a whole answer (it has `complete`: the first message, and in a cluster the merged answer of every
 * instance again each intervalMs) replaces the table; every other message is a new or changed flow, merged by flowId.
 * Updates can come by the hundred per second, so the table is redrawn at most every 250 ms.
 */
const liveFlows = {
  byId: new Map(),
  whole: {},
  timer: null,
  onData(payload) {
    const whole = 'complete' in payload;
    if (whole) {
      this.byId.clear();
      this.whole = { complete: payload.complete, missingPeers: payload.missingPeers };
    }
    for (const f of payload.flows) this.byId.set(f.flowId, f);
    if (whole) this.draw();
    else this.timer ??= setTimeout(() => this.draw(), 250);
  },
  draw() {
    clearTimeout(this.timer);
    this.timer = null;
    showFlows(this.byId, this.whole);
  },
  onStop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.byId.clear();
    this.whole = {};
  },
};

let filterTimer;
$('flow-filters').addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => {
    const form = new FormData($('flow-filters'));
    state.flowFilters = Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v).trim()]).filter(([, v]) => v));
    feed.refresh();
  }, 300);
});
$('flow-filters').addEventListener('reset', () => { state.flowFilters = {}; setTimeout(() => feed.refresh()); });
$('flow-filters').addEventListener('submit', (e) => e.preventDefault());

// ---------------------------------------------------------------- agents

function cell(text, cls) {
  const td = document.createElement('td');
  if (cls) td.className = cls;
  td.textContent = text;
  return td;
}

function completenessCell(ratio) {
  const td = document.createElement('td');
  const meter = document.createElement('span');
  meter.className = `meter ${ratio < 0.95 ? 'bad' : ratio < 0.999 ? 'warn' : ''}`;
  meter.innerHTML = '<span class="bar"><span></span></span><span></span>';
  meter.querySelector('.bar > span').style.width = `${Math.max(0, Math.min(1, ratio)) * 100}%`;
  meter.lastChild.textContent = fmt.percent(ratio, 2);
  td.append(meter);
  return td;
}

let agentIds = [];

async function loadAgents() {
  renderAgents(await api.get('/api/v1/agents'));
}

function renderAgents(r) {
  agentIds = r.agents.map((a) => a.agentId).sort();
  if (state.view === 'flows') fillAgentFilter();
  if (state.view !== 'agents') return;
  $('agents-count').textContent = r.agents.length;
  $('agents-empty').hidden = r.agents.length > 0;
  $('agents-table').tBodies[0].replaceChildren(...r.agents.map((a) => {
    const tr = document.createElement('tr');
    const status = document.createElement('td');
    const pill = document.createElement('span');
    pill.className = `pill ${a.status === 'up' ? 'pill-good' : 'pill-warn'}`;
    pill.textContent = a.status;
    status.append(pill);
    const seenMs = state.eventTimeMs ?? Date.now();
    tr.append(cell(a.agentId, 'mono'), cell(a.hostId ?? '–'), status, completenessCell(a.completeness),
      cell(fmt.count(a.packetsCaptured), 'num'), cell(fmt.count(a.kernelDrops), 'num'), cell(fmt.count(a.queueDrops), 'num'),
      cell(fmt.count(a.lostBatches), 'num'), cell(fmt.count(a.sendFailures), 'num'),
      cell(a.lastSeen ? `${fmt.dateTime(a.lastSeen)} (${fmt.ago(a.lastSeen, seenMs)})` : '–'), cell(a.version ?? '–'));
    tr.lastChild.previousSibling.title = 'Last packet, relative to the newest event time';
    return tr;
  }));
}

function fillAgentFilter() {
  const select = document.querySelector('#flow-filters select[name=agent]');
  const current = select.value;
  const have = [...select.options].slice(1).map((o) => o.value);
  if (have.join() === agentIds.join()) return;
  select.replaceChildren(new Option('All agents', ''), ...agentIds.map((id) => new Option(id, id)));
  select.value = agentIds.includes(current) ? current : '';
}

// ---------------------------------------------------------------- connections

let connectionsByPort = {};

const connTable = new VirtualTable($('conn-table'), {
  emptyText: 'No TCP stats reported yet.',
  sortKey: 'rtt',
  columns: [
    { key: 'host', label: 'Host', width: 'minmax(100px, 1fr)', text: (c) => c.host },
    { key: 'local', label: 'Local', width: 'minmax(140px, 1.2fr)', align: 'mono', text: (c) => fmt.endpoint(c.localIp, c.localPort, 6) },
    { key: 'remote', label: 'Remote', width: 'minmax(140px, 1.2fr)', align: 'mono', text: (c) => fmt.endpoint(c.remoteIp, c.remotePort, 6) },
    { key: 'state', label: 'State', width: '130px', text: (c) => c.state, cls: (c) => STATE_CLASS[c.state] ?? '' },
    { key: 'rtt', label: 'RTT', width: '90px', align: 'num', sort: (c) => c.rttMicros ?? -1, text: (c) => fmt.micros(c.rttMicros) },
    { key: 'cwnd', label: 'cwnd', width: '70px', align: 'num', sort: (c) => c.cwndSegments ?? -1, text: (c) => (c.cwndSegments == null ? '–' : String(c.cwndSegments)) },
    { key: 'retx', label: 'Retx', width: '70px', align: 'num', sort: (c) => c.retransmitsTotal ?? -1, text: (c) => (c.retransmitsTotal == null ? '–' : fmt.count(c.retransmitsTotal)) },
    { key: 'process', label: 'Process', width: 'minmax(100px, 1fr)', text: (c) => (c.processName ? `${c.processName} (${c.pid})` : '–') },
    { key: 'container', label: 'Container', width: 'minmax(90px, 0.8fr)', align: 'mono', text: (c) => c.containerId ?? 'host' },
  ],
});

function bars(id, counts) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 10);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const list = $(id);
  list.replaceChildren(...entries.map(([key, n]) => {
    const li = document.createElement('li');
    li.className = 'bar-row';
    li.innerHTML = '<div><div class="talker-key"></div><div class="bar"><span></span></div></div><span class="bar-value"></span>';
    li.querySelector('.talker-key').textContent = key;
    li.querySelector('.bar > span').style.width = `${(100 * n) / max}%`;
    li.querySelector('.bar-value').textContent = fmt.count(n);
    return li;
  }));
  if (!entries.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = 'none';
    list.append(li);
  }
}

const CONNECTIONS_FILTER = { limit: 10000 };

async function loadConnections() {
  renderConnections(await api.get('/api/v1/connections', CONNECTIONS_FILTER));
}

function renderConnections(r) {
  const byHost = {};
  const byContainer = {};
  for (const c of r.connections) {
    byHost[c.host] = (byHost[c.host] ?? 0) + 1;
    const container = c.containerId ?? 'host processes';
    byContainer[container] = (byContainer[container] ?? 0) + 1;
  }
  bars('conn-by-host', byHost);
  bars('conn-by-container', byContainer);
  bars('conn-by-port', Object.fromEntries(Object.entries(connectionsByPort).map(([port, n]) => [`port ${port}`, n])));
  $('conn-count').textContent = r.count > r.connections.length ? `${fmt.count(r.connections.length)} of ${fmt.count(r.count)}` : fmt.count(r.count);
  connTable.setRows(r.connections);
}

// ---------------------------------------------------------------- the feed: streams over /ws, run() when polling

const on = (...views) => () => views.includes(state.view);
const snapshots = (name, intervalMs, filter, onData) => ({ name, intervalMs, filter, onData });
// the summary carries the event time shown on every view
feed.add({ name: 'summary', intervalMs: 1000, active: () => true, run: loadSummary,
  stream: snapshots('metrics', 1000, () => SUMMARY_FILTER, renderSummary) });
// no history stream exists: the charts poll
feed.add({ name: 'history', intervalMs: 5000, active: on('overview'), run: loadHistory });
feed.add({ name: 'talkers', intervalMs: 1000, active: on('overview'), run: loadTalkers,
  stream: snapshots('topTalkers', 1000, talkersFilter, renderTalkers) });
feed.add({ name: 'flows', intervalMs: 2000, active: on('flows'), run: loadFlows,
  stream: { name: 'flows', intervalMs: 2000, filter: flowsFilter, onData: (p) => liveFlows.onData(p), onStop: () => liveFlows.onStop(),
    onError: flowsRefused } });
feed.add({ name: 'agents', intervalMs: 2000, active: on('agents', 'flows'), run: loadAgents,
  stream: snapshots('agents', 2000, () => ({}), renderAgents) });
feed.add({ name: 'connections', intervalMs: 2000, active: on('connections'), run: loadConnections,
  stream: snapshots('connections', 2000, () => CONNECTIONS_FILTER, renderConnections) });

// For the browser test and for operators poking at the page from the console.
window.fluxtap = { feed, flowsTable, connTable, charts: { traffic: trafficChart, protocols: protocolChart, rtt: rttChart }, route };

charts.applyTheme(allCharts());
route(location.pathname, false);
feed.start();
