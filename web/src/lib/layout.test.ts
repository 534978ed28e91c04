/** Desk layouts (lib/layout.ts): presets, validation of saved layouts, move/resize/add/remove. */
import { describe, expect, it } from 'vitest';
import {
  addPanel,
  isDeskLayout,
  movePanel,
  PRESETS,
  presetLayout,
  removePanel,
  resizePanel,
  updatePanel,
} from './layout.ts';

describe('desk layouts', () => {
  it('builds valid presets; Venues puts up to four instruments side by side', () => {
    for (const pr of PRESETS) expect(isDeskLayout(presetLayout(pr.value, ['a:X', 'b:X']))).toBe(true);
    expect(presetLayout('scalper').panels.map((p) => p.kind)).toEqual([
      'ladder',
      'heatmap',
      'trades',
      'flow',
    ]);
    expect(presetLayout('overview').panels.map((p) => p.kind)).toContain('consolidated');
    expect(presetLayout('research').panels[0]!.kind).toBe('history');
    const v = presetLayout('venues', ['a:X', 'b:X', 'c:X', 'd:X', 'e:X']);
    expect(v.panels.filter((p) => p.kind === 'ladder').map((p) => p.instrument)).toEqual([
      'a:X',
      'b:X',
      'c:X',
      'd:X',
    ]);
    expect(v.panels.every((p) => p.w === 3)).toBe(true);
  });

  it('refuses malformed saved layouts', () => {
    const ok = presetLayout('scalper');
    expect(isDeskLayout(null)).toBe(false);
    expect(isDeskLayout({ ...ok, version: 2 })).toBe(false);
    expect(isDeskLayout({ ...ok, preset: 'nope' })).toBe(false);
    expect(isDeskLayout({ ...ok, panels: [{ ...ok.panels[0], kind: 'nope' }] })).toBe(false);
    expect(isDeskLayout({ ...ok, panels: [{ ...ok.panels[0], w: 13 }] })).toBe(false);
    expect(isDeskLayout({ ...ok, panels: [ok.panels[0], ok.panels[0]] })).toBe(false);
    expect(isDeskLayout({ ...ok, panels: [{ ...ok.panels[0], instrument: 3 }] })).toBe(false);
  });

  it('moves, resizes (clamped), updates, adds and removes panels', () => {
    const l = presetLayout('scalper');
    expect(movePanel(l, 'trades-1', 'ladder-1').panels.map((p) => p.id)).toEqual([
      'trades-1',
      'ladder-1',
      'heatmap-1',
      'flow-1',
    ]);
    expect(movePanel(l, 'ladder-1', 'flow-1').panels.map((p) => p.id)).toEqual([
      'heatmap-1',
      'trades-1',
      'flow-1',
      'ladder-1',
    ]);
    expect(movePanel(l, 'nope', 'flow-1')).toBe(l);
    const r = resizePanel(l, 'ladder-1', 20, 0);
    expect(r.panels[0]).toMatchObject({ w: 12, h: 1 });
    expect(updatePanel(l, 'ladder-1', { instrument: 'x:Y', group: 5 }).panels[0]).toMatchObject({
      instrument: 'x:Y',
      group: 5,
    });
    const a = addPanel(addPanel(l, 'depth'), 'depth');
    expect(a.panels.slice(-2).map((p) => p.id)).toEqual(['depth-1', 'depth-2']);
    expect(isDeskLayout(a)).toBe(true);
    expect(removePanel(a, 'depth-1').panels.map((p) => p.id)).not.toContain('depth-1');
  });
});
