import { createRequire } from 'node:module';
import { SitrepError, ErrorCode } from '../core/errors.js';

/**
 * The TrueType files the chart is drawn with: DejaVu Sans from the `dejavu-fonts-ttf` npm package,
 * so no system font is needed (a slim container has none) and every machine draws the same PNG.
 */
export function chartFontFiles(): string[] {
  const require = createRequire(import.meta.url);
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
}

/**
 * SVG to PNG with resvg (`@resvg/resvg-js`: a prebuilt native module from the npm registry,
 * loaded on first use so the bot starts without it if it is missing).
 * @throws SitrepError `sitrep_internal` naming what is missing when resvg or the font cannot load.
 */
export async function svgToPng(svg: string): Promise<{ png: Buffer; width: number; height: number }> {
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  let fontFiles: string[];
  try {
    ({ Resvg } = await import('@resvg/resvg-js'));
    fontFiles = chartFontFiles();
  } catch (err) {
    throw new SitrepError(ErrorCode.Internal, `Timeline chart unavailable: ${(err as Error).message.split('\n')[0]}`, { cause: err, hint: 'Install sitrep with its dependencies (npm ci): @resvg/resvg-js and dejavu-fonts-ttf draw the chart.' });
  }
  const rendered = new Resvg(svg, { font: { fontFiles, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' }).render();
  return { png: rendered.asPng(), width: rendered.width, height: rendered.height };
}
