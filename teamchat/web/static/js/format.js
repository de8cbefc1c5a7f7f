// Slack-style message formatting: `code`, ```code blocks```, *bold* (and **bold**),
// _italic_, ~strike~. The text is parsed into ranges of the raw string, so mention and
// search-highlight spans (offsets into the raw text) still land on the right characters;
// only DOM nodes and text nodes are made, never markup.

import { URL_RE, codePointIndexer, h, linkify } from './util.js';

const EMPHASIS = { '*': 'strong', _: 'em', '~': 's' };
const WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/;

// URL ranges (units) as linkify cuts them: markers inside a link are part of it.
function urlRanges(text) {
  const out = [];
  for (const m of text.matchAll(URL_RE)) {
    // A closing marker right after a link closes the formatting around it: *https://x*
    let raw = m[0].replace(/[.,;:!?*_~]+$/, '');
    if (raw.endsWith(')') && !raw.includes('(')) raw = raw.slice(0, -1);
    out.push([m.index, m.index + raw.length]);
  }
  return out;
}

// Code first: ```blocks``` (may span lines) and `inline` (one line, not empty).
function splitCode(text) {
  const out = [];
  let plain = 0;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('```', i)) {
      const end = text.indexOf('```', i + 3);
      if (end > i + 3) {
        if (i > plain) out.push({ type: 'plain', start: plain, end: i });
        let a = i + 3;
        let b = end;
        if (text[a] === '\n') a += 1; // the fence's own line break is not content
        if (b > a && text[b - 1] === '\n') b -= 1;
        out.push({ type: 'pre', start: a, end: b });
        i = end + 3;
        if (text[i] === '\n') i += 1; // the block already ends its line
        plain = i;
        continue;
      }
    } else if (text[i] === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1 && !text.slice(i + 1, end).includes('\n')) {
        if (i > plain) out.push({ type: 'plain', start: plain, end: i });
        out.push({ type: 'code', start: i + 1, end });
        i = end + 1;
        plain = i;
        continue;
      }
    }
    i += 1;
  }
  if (text.length > plain) out.push({ type: 'plain', start: plain, end: text.length });
  return out;
}

// Emphasis inside [a, b): a marker opens after a non-word character and before a
// non-space, closes after a non-space and before a non-word character, on one line.
function parseEmphasis(text, a, b, isProtected) {
  const nodes = [];
  let textStart = a;
  let i = a;
  const flush = (to) => {
    if (to > textStart) nodes.push({ type: 'text', start: textStart, end: to });
  };
  while (i < b) {
    const skip = isProtected(i);
    if (skip !== null) {
      i = skip;
      continue;
    }
    const ch = text[i];
    const tag = EMPHASIS[ch];
    if (tag && (i === 0 || !WORD.test(text[i - 1]))) {
      const len = ch === '*' && text[i + 1] === '*' ? 2 : 1;
      const marker = ch.repeat(len);
      const close = i + len < b && !SPACE.test(text[i + len])
        ? findClose(text, i + len, b, marker, isProtected)
        : -1;
      if (close > i + len) {
        flush(i);
        nodes.push({
          type: tag,
          children: parseEmphasis(text, i + len, close, isProtected),
        });
        i = close + len;
        textStart = i;
        continue;
      }
    }
    i += 1;
  }
  flush(b);
  return nodes;
}

function findClose(text, from, b, marker, isProtected) {
  let j = from;
  while (j < b) {
    const skip = isProtected(j);
    if (skip !== null) {
      j = skip;
      continue;
    }
    if (text[j] === '\n') return -1;
    if (
      text.startsWith(marker, j) &&
      j + marker.length <= b &&
      !SPACE.test(text[j - 1]) &&
      (j + marker.length >= text.length || !WORD.test(text[j + marker.length])) &&
      !(marker === '*' && text[j + 1] === '*')
    ) {
      return j;
    }
    j += 1;
  }
  return -1;
}

// The parse tree of `text`: [{type: 'text'|'code'|'pre', start, end} | {type, children}].
export function parseFormatting(text, atomic = []) {
  const ranges = [...urlRanges(text), ...atomic].filter(([s, e]) => e > s);
  const isProtected = (i) => {
    for (const [s, e] of ranges) if (i >= s && i < e) return e;
    return null;
  };
  const out = [];
  for (const part of splitCode(text)) {
    if (part.type === 'plain') out.push(...parseEmphasis(text, part.start, part.end, isProtected));
    else out.push(part);
  }
  return out;
}

// Pieces of [a, b) cut by unit spans ({u0, u1}); a span is clipped to the range.
function cut(a, b, spans) {
  const out = [];
  let pos = a;
  for (const s of spans) {
    const s0 = Math.max(s.u0, pos);
    const s1 = Math.min(s.u1, b);
    if (s1 <= s0) continue;
    if (s0 > pos) out.push({ start: pos, end: s0, span: null });
    out.push({ start: s0, end: s1, span: s });
    pos = s1;
  }
  if (b > pos) out.push({ start: pos, end: b, span: null });
  return out;
}

// Formatted text. spans: code-point {start, end} ranges drawn by decorate(text, span),
// e.g. mention chips or <mark>s; links: whether plain URLs become links; atomic: whether
// markers inside a span stay literal (a mention of @a_b_c is not italic).
export function renderFormatted(text, spans, decorate, { links = true, atomic = false } = {}) {
  const toUnits = codePointIndexer(text);
  const unitSpans = [];
  let last = 0;
  for (const s of [...(spans || [])].sort((x, y) => x.start - y.start)) {
    const u0 = toUnits(s.start);
    const u1 = toUnits(s.end);
    if (u1 <= u0 || u0 < last) continue; // overlapping or empty spans are dropped
    unitSpans.push({ ...s, u0, u1 });
    last = u1;
  }
  const draw = (node) => {
    if (node.children) return h(node.type, {}, node.children.map(draw));
    const pieces = cut(node.start, node.end, unitSpans).map((p) => {
      const raw = text.slice(p.start, p.end);
      if (p.span) return decorate(raw, p.span);
      return node.type === 'text' && links ? linkify(raw) : document.createTextNode(raw);
    });
    if (node.type === 'code') return h('code', {}, pieces);
    if (node.type === 'pre') return h('pre', { class: 'code-block' }, h('code', {}, pieces));
    return pieces;
  };
  const frag = document.createDocumentFragment();
  const kept = atomic ? unitSpans.map((s) => [s.u0, s.u1]) : [];
  for (const node of parseFormatting(text, kept)) {
    const out = draw(node);
    frag.append(...[out].flat(Infinity));
  }
  return frag;
}
