//! The static site: view models, the minijinja environment, pages, SVG charts.
