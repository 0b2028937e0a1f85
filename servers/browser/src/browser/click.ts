// A click in one round trip to the page plus the mouse events. puppeteer's ElementHandle.click first asks
// whether the element is fully in view through an IntersectionObserver (which answers only after the next
// rendering frame), then reads its content quads and the layout metrics: four round trips and a frame, most of
// a click's time. An element of the top frame is scrolled into view and measured in one evaluate instead;
// elements inside iframes, and anything this cannot measure, go through puppeteer's own click.
import type { ElementHandle, MouseButton } from 'puppeteer-core';

export interface ClickOptions {
  count?: number;
  button?: MouseButton;
}

/** Clicks the element's first box with some area, at its centre, scrolling it into view when it is not. */
export async function clickElement(handle: ElementHandle, options: ClickOptions = {}): Promise<void> {
  const page = handle.frame.page();
  if (handle.frame !== page.mainFrame()) return handle.click(options);
  const point = await handle
    .evaluate((element) => {
      const boxOf = () => Array.from(element.getClientRects()).find((rect) => rect.width > 1 && rect.height > 1);
      let box = boxOf();
      if (box === undefined) return null;
      const inView =
        box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
      if (!inView) {
        element.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
        box = boxOf();
        if (box === undefined) return null;
      }
      // The visible part of the box: a box larger than the viewport is clicked inside what can be seen.
      const left = Math.max(box.left, 0);
      const top = Math.max(box.top, 0);
      const right = Math.min(box.right, window.innerWidth);
      const bottom = Math.min(box.bottom, window.innerHeight);
      if (right - left < 1 || bottom - top < 1) return null;
      return { x: (left + right) / 2, y: (top + bottom) / 2 };
    })
    .catch(() => null);
  if (point === null) return handle.click(options);
  await page.mouse.click(point.x, point.y, options);
}
