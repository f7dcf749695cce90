/** Script and style text made safe to write between <script>/<style> tags of a webview page (src/extension/common/webviewShell.ts). */

/**
 * Script text made safe to sit between <script> tags: `</script` and `<!--` cannot end or change the
 * element's parsing. The replacements only add a backslash before `/` or `!`, which means the same
 * character inside a JS string, template, regular expression or comment (the only places they occur).
 */
export function inlineScriptText(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--').replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n');
}

/** CSS made safe to sit between <style> tags. */
export function inlineStyleText(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

