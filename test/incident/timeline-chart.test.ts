import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPostmortem } from '../../src/incident/postmortem-model.js';
import { CHART_HEIGHT, CHART_WIDTH, svgToPng, timelineChartSvg } from '../../src/incident/index.js';
import { decodePng } from '../support/png.js';
import { alertIncident } from './alert-incident.js';

describe('the timeline chart', () => {
  it('is a PNG of the declared size with the phases, marks and text drawn on it', async () => {
    const pm = buildPostmortem({ ...alertIncident(), names: { U1: 'Alice', U2: 'Bob' } });
    const svg = timelineChartSvg(pm);
    expect(svg).toContain('>41</text>'); // the collapsed eviction entry's count
    expect(svg).toContain('/k8s drain node02');
    const { png, width, height } = await svgToPng(svg);
    if (process.env.SITREP_CHART_OUT) writeFileSync(process.env.SITREP_CHART_OUT, png);
    const image = decodePng(png);
    expect([image.width, image.height, width, height]).toEqual([CHART_WIDTH, CHART_HEIGHT, CHART_WIDTH, CHART_HEIGHT]);
    // Not blank: a good share of pixels are not white, and in several colours (phases, marks, text).
    let ink = 0;
    const colours = new Set<string>();
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) {
        const [r, g, b] = image.pixel(x, y);
        if (r < 245 || g < 245 || b < 245) ink++;
        colours.add(`${r >> 4},${g >> 4},${b >> 4}`);
      }
    }
    expect(ink / ((image.width / 2) * (image.height / 2))).toBeGreaterThan(0.05);
    expect(colours.size).toBeGreaterThan(20);
    // The "undetected" phase (from the node going NotReady to the alert) is shaded where it should be.
    const plotTop = 78;
    const [r, g, b] = image.pixel(180, plotTop + 40);
    expect([r, g, b]).toEqual([0xfb, 0xd5, 0xd3]);
  });
});

describe('the timeline chart with text XML 1.0 forbids', () => {
  it('still renders a PNG when a title or command carries U+FFFF, U+FFFE, control characters or a lone surrogate', async () => {
    const { incident, events } = alertIncident();
    const hostile = 'a\uFFFF b\uFFFE c\u0001 d\u000B e\u001F f\uD800 g\uDC00 h';
    const pm = buildPostmortem({
      incident: { ...incident, title: `node02 ${hostile}` },
      events: events.map((e) => (e.kind === 'command' ? { ...e, text: `/k8s drain node02 ${hostile}`, data: { text: `/k8s drain node02 ${hostile}` } } : e)),
      names: { U1: 'Alice', U2: 'Bob' },
    });
    const svg = timelineChartSvg(pm);
    expect(svg).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    const { png } = await svgToPng(svg);
    const image = decodePng(png);
    expect([image.width, image.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
  });
});
