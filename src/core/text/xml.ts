import { showControls } from './controls.js';

/**
 * What XML 1.0 forbids even as a character reference (section 2.2, `Char`): U+FFFE, U+FFFF and
 * surrogates not in a pair. The C0 controls it forbids too are made visible by showControls first.
 */
const NOT_XML = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text for XML output (the SVG of the postmortem's timeline chart), as element content or a
 * quoted attribute value. The five characters XML reserves become entities; every character
 * XML 1.0 does not allow in a document (C0 controls but tab, LF and CR, U+FFFE, U+FFFF, a lone
 * surrogate left by cutting a pair in two) becomes its visible escape (`\uFFFF`), as controls do
 * in every other output, so one pasted character cannot make the whole image fail to parse.
 */
export function escapeXml(text: string): string {
  return showControls(text)
    .replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}
