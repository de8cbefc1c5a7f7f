// Small inline SVG icons for UI chrome, so marks like "private" or "group" do not
// depend on an emoji font being installed (emoji stay for messages and reactions).

const NS = 'http://www.w3.org/2000/svg';

// Each icon is a list of [tag, attributes] drawn on a 16x16 grid in currentColor.
const ICONS = {
  hash: [['path', { d: 'M6 2 4.5 14M11.5 2 10 14M2.5 5.5h11.5M2 10.5h11.5' }]],
  lock: [
    ['rect', { x: '3', y: '7', width: '10', height: '7.5', rx: '1.5', fill: 'currentColor' }],
    ['path', { d: 'M5.25 7V5a2.75 2.75 0 0 1 5.5 0v2' }],
  ],
  people: [
    ['circle', { cx: '5.5', cy: '5', r: '2.25' }],
    ['path', { d: 'M1.5 13.5c0-2.5 1.8-4 4-4s4 1.5 4 4' }],
    ['circle', { cx: '11', cy: '5.5', r: '1.9' }],
    ['path', { d: 'M10.5 9.6c2.3-.3 4 1.2 4 3.9' }],
  ],
  'person-add': [
    ['circle', { cx: '6', cy: '5', r: '2.5' }],
    ['path', { d: 'M1.5 14c0-2.8 2-4.5 4.5-4.5s4.5 1.7 4.5 4.5M12.5 4v5M10 6.5h5' }],
  ],
};

export function icon(name, extra = {}) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', extra.size || '14');
  svg.setAttribute('height', extra.size || '14');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.6');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon-svg icon-${name}`);
  for (const [tag, attrs] of ICONS[name] || []) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.append(el);
  }
  return svg;
}
