// Chart.js (from the WebJar, loaded as window.Chart) with colours taken from the active theme's CSS variables.

import * as fmt from './format.js';

const Chart = window.Chart;

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function seriesColors() {
  return [1, 2, 3, 4, 5, 6].map((i) => css(`--series-${i}`));
}

/** '#rrggbb' with an alpha, as canvas needs it (the theme colours are hex). */
function alpha(hex, a) {
  const n = parseInt(hex.replace('#', ''), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

function baseOptions() {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    normalized: true,
    interaction: { mode: 'index', intersect: false },
    plugins: { legend: { display: true, position: 'top', align: 'end', labels: { boxWidth: 10, boxHeight: 10, usePointStyle: true } } },
  };
}

/** Bandwidth (left axis) and packet rate (right axis) over event time. */
export function trafficChart(canvas) {
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: [
      { label: 'Bandwidth', data: [], yAxisID: 'y', fill: true, tension: 0.3, pointRadius: 0, borderWidth: 2, spanGaps: false },
      { label: 'Packet rate', data: [], yAxisID: 'y1', fill: false, tension: 0.3, pointRadius: 0, borderWidth: 1.5, borderDash: [4, 3] },
    ] },
    options: {
      ...baseOptions(),
      parsing: false,
      scales: {
        x: { type: 'linear', ticks: { callback: (v) => fmt.clock(v), maxTicksLimit: 8 } },
        y: { beginAtZero: true, ticks: { callback: (v) => fmt.bits(v) } },
        y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, ticks: { callback: (v) => fmt.rate(v) } },
      },
      plugins: {
        ...baseOptions().plugins,
        tooltip: { callbacks: {
          title: (items) => (items.length ? fmt.clock(items[0].parsed.x) : ''),
          label: (item) => `${item.dataset.label}: ${item.datasetIndex === 0 ? fmt.bits(item.parsed.y) : fmt.rate(item.parsed.y)}`,
        } },
      },
    },
  });
}

/** RTT p50 and p99 over event time. */
export function rttChart(canvas) {
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: [
      { label: 'p50', data: [], tension: 0.3, pointRadius: 0, borderWidth: 1.5, spanGaps: true },
      { label: 'p99', data: [], tension: 0.3, pointRadius: 0, borderWidth: 1.5, spanGaps: true },
    ] },
    options: {
      ...baseOptions(),
      parsing: false,
      scales: {
        x: { type: 'linear', ticks: { callback: (v) => fmt.clock(v), maxTicksLimit: 4 } },
        y: { beginAtZero: true, ticks: { callback: (v) => fmt.micros(v), maxTicksLimit: 4 } },
      },
      plugins: { ...baseOptions().plugins, tooltip: { callbacks: { label: (i) => `${i.dataset.label}: ${fmt.micros(i.parsed.y)}` } } },
    },
  });
}

export function protocolChart(canvas) {
  return new Chart(canvas, {
    type: 'doughnut',
    data: { labels: [], datasets: [{ data: [], borderWidth: 2, hoverOffset: 4 }] },
    options: {
      ...baseOptions(),
      cutout: '68%',
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (i) => `${i.label}: ${fmt.bytes(i.parsed)}` } } },
    },
  });
}

/** Re-colours every chart from the current theme. */
export function applyTheme(charts) {
  const text = css('--muted');
  const grid = css('--grid');
  const panel = css('--panel');
  const font = css('--font');
  const colors = seriesColors();
  Chart.defaults.color = text;
  Chart.defaults.borderColor = grid;
  Chart.defaults.font.family = font;
  for (const chart of charts) {
    for (const scale of Object.values(chart.options.scales ?? {})) {
      scale.grid = { ...(scale.grid ?? {}), color: grid };
      scale.ticks = { ...(scale.ticks ?? {}), color: text };
      scale.border = { color: grid };
    }
    if (chart.config.type === 'doughnut') {
      chart.data.datasets[0].backgroundColor = colors;
      chart.data.datasets[0].borderColor = panel;
    } else {
      chart.data.datasets.forEach((d, i) => {
        d.borderColor = colors[i];
        d.backgroundColor = d.fill ? alpha(colors[i], 0.14) : colors[i];
      });
    }
    if (chart.options.plugins?.legend?.labels) chart.options.plugins.legend.labels.color = text;
    chart.update('none');
  }
}
