// A virtualised, sortable table: whatever the number of rows, the DOM holds only the rows in view plus a small
// overscan, in a pool of row elements that are reused (only their text changes). Scrolling and new data re-render
// at most once per animation frame.

const ROW_HEIGHT = 30;
const OVERSCAN = 8;

export class VirtualTable {
  /**
   * columns: [{key, label, width, align: 'num'|'mono'|undefined, sort: row => comparable, text: row => string,
   *            cls?: row => extra class name}]
   */
  constructor(container, { columns, emptyText = 'No rows', sortKey, sortDesc = true }) {
    this.columns = columns;
    this.rows = [];
    this.sorted = [];
    this.sortKey = sortKey ?? columns[0].key;
    this.sortDesc = sortDesc;
    this.pool = [];
    this.frame = 0;

    const template = columns.map((c) => c.width ?? 'minmax(80px, 1fr)').join(' ');
    container.classList.add('vtable');
    container.style.setProperty('--cols', template);

    this.head = el('div', 'vt-head');
    this.head.style.gridTemplateColumns = template;
    for (const c of columns) {
      const h = el('div', c.align === 'num' ? 'num' : '');
      h.textContent = c.label;
      h.dataset.key = c.key;
      h.title = `Sort by ${c.label}`;
      h.addEventListener('click', () => this.sortBy(c.key));
      this.head.append(h);
    }
    this.viewport = el('div', 'vt-viewport');
    this.spacer = el('div', 'vt-spacer');
    this.body = el('div', 'vt-rows');
    this.empty = el('div', 'vt-empty');
    this.empty.textContent = emptyText;
    this.viewport.append(this.spacer, this.body, this.empty);
    container.append(this.head, this.viewport);
    this.template = template;

    this.viewport.addEventListener('scroll', () => this.requestRender(), { passive: true });
    new ResizeObserver(() => this.requestRender()).observe(this.viewport);
    this.markSorted();
  }

  setRows(rows) {
    this.rows = rows;
    this.sort();
    this.requestRender();
  }

  sortBy(key) {
    if (this.sortKey === key) this.sortDesc = !this.sortDesc;
    else { this.sortKey = key; this.sortDesc = true; }
    this.markSorted();
    this.sort();
    this.requestRender();
  }

  sort() {
    const col = this.columns.find((c) => c.key === this.sortKey);
    const value = col.sort ?? col.text;
    const dir = this.sortDesc ? -1 : 1;
    // Decorate once, sort the keys, undecorate: the accessor runs n times instead of n log n.
    const keyed = this.rows.map((row) => ({ k: value(row), row }));
    keyed.sort((a, b) => (a.k < b.k ? -dir : a.k > b.k ? dir : 0));
    this.sorted = keyed.map((x) => x.row);
  }

  markSorted() {
    for (const h of this.head.children) {
      h.classList.toggle('sorted', h.dataset.key === this.sortKey);
      h.classList.toggle('asc', h.dataset.key === this.sortKey && !this.sortDesc);
    }
  }

  requestRender() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  /** Rows currently in the DOM (for tests and the performance check). */
  renderedRows() {
    return this.pool.filter((r) => !r.hidden).length;
  }

  render() {
    const total = this.sorted.length;
    this.spacer.style.height = `${total * ROW_HEIGHT}px`;
    this.empty.hidden = total > 0;
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const wanted = Math.min(total - first, Math.ceil(height / ROW_HEIGHT) + 2 * OVERSCAN);
    while (this.pool.length < wanted) this.pool.push(this.newRow());
    this.body.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    for (let i = 0; i < this.pool.length; i++) {
      const rowEl = this.pool[i];
      if (i >= wanted) { rowEl.hidden = true; continue; }
      rowEl.hidden = false;
      const row = this.sorted[first + i];
      const cells = rowEl.children;
      for (let c = 0; c < this.columns.length; c++) {
        const col = this.columns[c];
        const text = col.text(row);
        if (cells[c].textContent !== text) cells[c].textContent = text;
        cells[c].title = text;
        if (col.cls) cells[c].className = `${col.baseCls} ${col.cls(row)}`;
      }
    }
  }

  newRow() {
    const row = el('div', 'vt-row');
    row.style.gridTemplateColumns = this.template;
    for (const c of this.columns) {
      c.baseCls = c.align ?? '';
      row.append(el('div', c.baseCls));
    }
    this.body.append(row);
    return row;
  }
}

function el(tag, cls) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  return e;
}
