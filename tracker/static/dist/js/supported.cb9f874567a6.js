// Runs before the page is first drawn (a classic script at the top of <body>, neither deferred
// nor a module): marks the page for GOV.UK Frontend's JavaScript-only styles, so the service
// navigation is drawn folded into "Menu" from the start on phones, instead of jumping up when
// app.js has run. (What GOV.UK's template does with an inline script, which our CSP forbids.)
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) document.body.classList.add("govuk-frontend-supported");
