import type { Page } from 'playwright-core';

/**
 * Every visible piece of HTML text whose contrast with its background is under WCAG AA's 4.5:1 (the large-text
 * allowance is not used, so this is stricter than AA). Backgrounds are the nearest opaque ancestor's.
 */
export function lowContrastText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    const lum = (c: number[]) => {
      const [r, g, b] = c.slice(0, 3).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const background = (element: Element | null): number[] => {
      for (let e = element; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c[3] ?? 0) > 0.99) return c;
      }
      return [255, 255, 255];
    };
    const problems: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || !node.textContent?.trim() || element.closest('svg, [hidden], .visually-hidden, .skip-link, noscript')) continue;
      if (element.getClientRects().length === 0) continue;
      const [a, b] = [lum(rgb(getComputedStyle(element).color)), lum(background(element))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) problems.push(`${ratio.toFixed(2)}: "${node.textContent.trim().slice(0, 40)}" in <${element.tagName.toLowerCase()} class="${element.className}">`);
    }
    return problems;
  });
}
