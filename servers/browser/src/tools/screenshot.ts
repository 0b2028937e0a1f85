// Screenshots that hosts accept: at most about 1.15 megapixels (larger images are rejected or downscaled by
// hosts) and a bounded number of bytes, scaled down (and re-encoded as JPEG) until they fit.
import type { ElementHandle, Page } from 'puppeteer-core';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';

/** The most pixels of one image. */
export const MAX_PIXELS = 1_150_000;
/** The longest edge of one image. */
export const MAX_EDGE = 1_568;
/** The most encoded bytes of one image (its base64 is a third larger). */
export const MAX_IMAGE_BYTES = 750_000;
/** The smallest scale a full page is shrunk to before it is cut instead. */
const MIN_FULL_PAGE_SCALE = 0.5;

/** A captured image. */
export interface CapturedImage {
  data: string;
  format: 'jpeg' | 'png';
  width: number;
  height: number;
  bytes: number;
  note?: string;
}

/** Captures the viewport, the full page or an element within the pixel and byte bounds. */
export async function screenshot(
  page: Page,
  options: { element?: ElementHandle; fullPage: boolean; format: 'jpeg' | 'png' },
): Promise<CapturedImage> {
  let clip: { x: number; y: number; width: number; height: number };
  const notes: string[] = [];
  if (options.element !== undefined) {
    await options.element.scrollIntoView().catch(() => undefined);
    const box = await options.element.boundingBox();
    if (box === null || box.width < 1 || box.height < 1)
      throw new InvalidArgumentError('That element is not visible, so it has no picture; pick a visible one.');
    const scroll = await page.evaluate(() => ({ x: window.scrollX, y: window.scrollY }));
    clip = { x: box.x + scroll.x, y: box.y + scroll.y, width: box.width, height: box.height };
  } else if (options.fullPage) {
    const size = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      height: document.documentElement.scrollHeight,
    }));
    // Below half size text is no longer readable: a page too tall for the pixel bound at half size is
    // captured from the top, and the reply says how much was left out.
    const scale = Math.max(
      MIN_FULL_PAGE_SCALE,
      Math.min(1, MAX_EDGE / size.width, Math.sqrt(MAX_PIXELS / (size.width * size.height)), MAX_EDGE / size.height),
    );
    const fits = Math.floor(Math.min(MAX_EDGE / scale, MAX_PIXELS / (size.width * scale * scale)));
    clip = { x: 0, y: 0, width: size.width, height: Math.min(size.height, fits) };
    if (size.height > fits)
      notes.push(
        `only the top ${fits} px of the ${size.height} px page (scroll and take more for the rest, or use browser_read)`,
      );
  } else {
    const view = await page.evaluate(() => ({
      x: window.scrollX,
      y: window.scrollY,
      width: window.innerWidth,
      height: window.innerHeight,
    }));
    clip = view;
  }
  let scale = Math.min(
    1,
    Math.sqrt(MAX_PIXELS / (clip.width * clip.height)),
    MAX_EDGE / Math.max(clip.width, clip.height),
  );
  let format = options.format;
  let quality = 80;
  for (let attempt = 0; attempt < 6; attempt++) {
    const buffer = await page.screenshot({
      type: format,
      ...(format === 'jpeg' ? { quality } : {}),
      clip: { ...clip, scale },
      captureBeyondViewport: options.fullPage || options.element !== undefined,
      encoding: 'binary',
    });
    const bytes = buffer.byteLength;
    if (bytes <= MAX_IMAGE_BYTES || attempt === 5) {
      if (scale < 1) notes.push(`scaled to ${Math.round(scale * 100)}%`);
      if (format !== options.format) notes.push('sent as JPEG to fit the size limit');
      return {
        data: Buffer.from(buffer).toString('base64'),
        format,
        width: Math.round(clip.width * scale),
        height: Math.round(clip.height * scale),
        bytes,
        ...(notes.length > 0 ? { note: notes.join(', ') } : {}),
      };
    }
    // Too many bytes: JPEG first, then lower quality, then fewer pixels.
    if (format === 'png') format = 'jpeg';
    else if (quality > 50) quality = 50;
    else scale *= 0.7;
  }
  throw new Error('unreachable');
}
