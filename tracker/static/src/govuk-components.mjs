// The GOV.UK Frontend components the service's pages use, bundled (tree-shaken) by
// scripts/vendor-frontend.sh into tracker/static/vendor/govuk-frontend.min.js. The whole
// library is 46 KB; a resident's first page load must stay under 250 KB (docs/benchmarks.md).
// Add a component here when a page starts to use its `data-module`.
export {
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  NotificationBanner,
  PasswordInput,
  Radios,
  ServiceNavigation,
  SkipLink,
  createAll,
  isSupported,
} from "govuk-frontend";
