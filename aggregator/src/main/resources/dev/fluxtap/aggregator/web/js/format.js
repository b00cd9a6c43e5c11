// Number, size, rate and time formatting shared by every view.

const PROTOCOLS = { 0: 'IPv6 hop-by-hop', 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 41: 'IPv6-in-IPv4', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP' };

export function protocolName(n) {
  return PROTOCOLS[n] ?? `IP ${n}`;
}

function scaled(value, units, base) {
  if (value == null || Number.isNaN(value)) return '–';
  let v = Math.abs(value);
  let i = 0;
  while (v >= base && i < units.length - 1) { v /= base; i++; }
  const digits = v >= 100 || i === 0 ? 0 : v >= 10 ? 1 : 2;
  return `${value < 0 ? '-' : ''}${v.toFixed(digits)} ${units[i]}`;
}

export const bits = (bps) => scaled(bps, ['b/s', 'kb/s', 'Mb/s', 'Gb/s', 'Tb/s'], 1000);
export const bytes = (n) => scaled(n, ['B', 'kB', 'MB', 'GB', 'TB'], 1000);
export const rate = (pps) => scaled(pps, ['pkt/s', 'kpkt/s', 'Mpkt/s'], 1000);
export const count = (n) => (n == null ? '–' : Math.round(n).toLocaleString('en-US'));
export const compact = (n) => scaled(n, ['', 'k', 'M', 'G', 'T'], 1000).trim();

export function micros(us) {
  if (us == null) return '–';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

export function percent(ratio, digits = 2) {
  return ratio == null || Number.isNaN(ratio) ? '–' : `${(ratio * 100).toFixed(digits)} %`;
}

export function clock(ms) {
  return new Date(ms).toISOString().substring(11, 19);
}

export function dateTime(iso) {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–';
}

/** "12 s ago" relative to a reference instant (event time for packet times, the wall clock for heartbeats). */
export function ago(iso, nowMs = Date.now()) {
  if (!iso) return '–';
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function endpoint(ip, port, protocol) {
  if (protocol === 1 || protocol === 58) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Top-talker keys as people read them: pairs with an arrow, ports with their protocol name. */
export function talkerKey(by, key) {
  if (by === 'pair') return key.replace('|', '  ⇄  ');
  if (by === 'port') {
    const [proto, port] = key.split('/');
    return `${protocolName(Number(proto))} ${port}`;
  }
  return key;
}
