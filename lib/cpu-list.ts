/**
 * Host CPU sets as text, libvirt's way (virBitmapFormat / virBitmapParse):
 * "0-2,5" lists the CPUs set; "^N" in a parsed list clears one again.
 */

/** The CPUs set in `map` among the first `width`, as "0-1,3,5-7" ('' for none). */
export function cpuListText(map: readonly boolean[], width: number = map.length): string {
  const parts: string[] = [];
  for (let i = 0; i < width; i++) {
    if (!map[i]) continue;
    let end = i;
    while (end + 1 < width && map[end + 1]) end++;
    parts.push(end === i ? `${i}` : `${i}-${end}`);
    i = end;
  }
  return parts.join(',');
}

/**
 * A CPU list ("0-3,^2,5") as a map as long as its highest CPU + 1; null when
 * malformed (an empty item, a reversed range, a CPU id of `limit` or more).
 */
export function parseCpuList(text: string, limit: number): boolean[] | null {
  const map: boolean[] = [];
  for (const item of text.split(',')) {
    const m = /^\s*(\^)?(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(item);
    if (!m) return null;
    const first = Number(m[2]);
    const last = m[3] === undefined ? first : Number(m[3]);
    if (last < first || last >= limit || (m[1] && m[3] !== undefined)) return null;
    for (let c = first; c <= last; c++) map[c] = !m[1];
  }
  return Array.from(map, (on) => on === true);
}
