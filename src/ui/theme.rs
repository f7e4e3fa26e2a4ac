//! Themes: TOML files of colours named by meaning, compiled in and overridable from the user's
//! config dir. With `NO_COLOR` set, every colour is the terminal's own and emphasis is carried
//! by bold, reverse and underline only.

use crate::core::diagnostic::{Diagnostics, SourceFile};
use crate::core::health::HostState;
use crate::core::severity::Severity;
use crate::embedded::SHIPPED_THEMES;
use ratatui::style::{Color, Modifier, Style};
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::Path;
use std::str::FromStr;

/// Colours by meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// Theme name.
    pub name: String,
    colors: Palette,
    monochrome: bool,
}

macro_rules! palette {
    ($($(#[doc = $doc:literal])* $field:ident),* $(,)?) => {
        /// The colours of a theme.
        #[derive(Debug, Clone, PartialEq, Eq)]
        struct Palette { $($field: Color,)* }

        /// The `[colors]` table: a colour per meaning; one left out is inherited from the
        /// built-in theme of the same name, else from `dark`.
        #[derive(Deserialize, Default, JsonSchema)]
        #[serde(deny_unknown_fields)]
        #[schemars(rename = "Colors")]
        struct RawPalette {
            $(
                $(#[doc = $doc])*
                #[schemars(with = "Option<ColorWord>")]
                $field: Option<toml::Spanned<String>>,
            )*
        }

        impl RawPalette {
            /// Fills a palette from `base`, replacing what this file sets.
            fn apply(self, base: &Palette, src: &SourceFile, problems: &mut Vec<crate::core::diagnostic::Diagnostic>) -> Palette {
                let mut out = base.clone();
                $(
                    if let Some(v) = self.$field {
                        match Color::from_str(v.get_ref()) {
                            Ok(c) => out.$field = c,
                            Err(_) => problems.push(src.error(
                                Some(v.span()),
                                format!("`{}` is not a colour", v.get_ref()),
                                Some("a colour name (red, lightblue, darkgray…), #rrggbb, an index 0–255, or reset".into()),
                            )),
                        }
                    }
                )*
                out
            }
        }

        const MONO: Palette = Palette { $($field: Color::Reset,)* };
    };
}

palette!(
    /// Normal text.
    text,
    /// Secondary text: hints, times, labels.
    text_dim,
    /// Pane borders.
    border,
    /// The border of the focused pane.
    border_focused,
    /// Pane and dialog titles.
    title,
    /// Accents: keys in hints, SQL keywords.
    accent,
    /// Text of the selected row.
    selection_fg,
    /// Background of the selected row.
    selection_bg,
    /// Text of the status line.
    status_fg,
    /// Background of the status line.
    status_bg,
    /// Success: steps done, checks passed, a database connection up.
    ok,
    /// Warnings, resource pressure (warning).
    warning,
    /// Failures, dangerous steps, critical pressure.
    danger,
    /// A host that is up.
    state_up,
    /// A degraded host (some checks fail).
    state_degraded,
    /// A host that is down.
    state_down,
    /// A host answering again after being down.
    state_recovering,
    /// A host recovered after being down.
    state_recovered,
    /// A host not probed yet.
    state_unknown,
    /// Severity P0.
    severity_p0,
    /// Severity P1.
    severity_p1,
    /// Severity P2.
    severity_p2,
    /// Severity P3.
    severity_p3,
    /// Highlighted log lines (`highlight_patterns`).
    log_highlight,
);

/// A cockpit colour theme: `themes/NAME.toml` in the config folder, over the built-in theme of
/// that name (or over `dark`). Reference: docs/themes.md.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Theme")]
struct RawTheme {
    /// Text, required. The theme's name, as `--theme NAME` chooses it.
    name: String,
    /// The colours by meaning; every key optional.
    #[serde(default)]
    colors: RawPalette,
}

/// A colour as a theme file writes it.
struct ColorWord;

impl JsonSchema for ColorWord {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Color".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A colour name (black, red, green, yellow, blue, magenta, cyan, gray, darkgray, lightred, lightgreen, lightyellow, lightblue, lightmagenta, lightcyan, white), `#rrggbb`, an index 0–255, or `reset` (the terminal's own colour).",
            "type": "string",
            "examples": [
                "reset", "black", "red", "green", "yellow", "blue", "magenta", "cyan", "gray",
                "darkgray", "lightred", "lightgreen", "lightyellow", "lightblue", "lightmagenta",
                "lightcyan", "white", "#ff5f5f", "208"
            ]
        })
    }
}

/// The JSON Schema of a theme file, as pretty JSON text ending with a newline
/// (`docs/theme.schema.json`).
pub fn theme_schema_json() -> String {
    crate::core::schema::schema_json::<RawTheme>()
}

/// The default theme's name.
pub const DEFAULT_THEME: &str = "dark";

impl Theme {
    /// Parses a theme file; colours it leaves out come from `base`.
    pub fn parse(src: &SourceFile, base: Option<&Theme>) -> Result<Theme, Diagnostics> {
        let raw: RawTheme = toml::from_str(&src.text).map_err(|e| src.toml_error(&e))?;
        let mut problems = Vec::new();
        let base_palette = base.map_or(MONO, |b| b.colors.clone());
        let colors = raw.colors.apply(&base_palette, src, &mut problems);
        if problems.is_empty() {
            Ok(Theme {
                name: raw.name,
                colors,
                monochrome: false,
            })
        } else {
            Err(Diagnostics(problems))
        }
    }

    /// Names of the built-in themes.
    pub fn built_in_names() -> Vec<&'static str> {
        SHIPPED_THEMES
            .iter()
            .map(|(path, _)| path.trim_start_matches("themes/").trim_end_matches(".toml"))
            .collect()
    }

    /// The built-in theme of that name, with no colours when `no_color` (NO_COLOR) is set.
    pub fn built_in_named(name: &str, no_color: bool) -> Option<Theme> {
        let mut theme = Theme::built_in(name)?;
        if no_color {
            theme.colors = MONO;
            theme.monochrome = true;
        }
        Some(theme)
    }

    /// The theme has no colours (NO_COLOR).
    pub fn is_monochrome(&self) -> bool {
        self.monochrome
    }

    fn built_in(name: &str) -> Option<Theme> {
        let (path, text) = SHIPPED_THEMES.iter().find(|(path, _)| {
            path.trim_start_matches("themes/").trim_end_matches(".toml") == name
        })?;
        Theme::parse(&SourceFile::new(*path, *text), None).ok()
    }

    /// A theme by name: `user_dir/NAME.toml` over the built-in of that name (or over dark).
    /// Falls back to the built-in dark theme, saying why, when the name or file is bad.
    pub fn load(name: &str, user_dir: Option<&Path>, no_color: bool) -> (Theme, Option<String>) {
        let fallback = Theme::built_in(DEFAULT_THEME).unwrap_or(Theme {
            name: "mono".into(),
            colors: MONO,
            monochrome: true,
        });
        let base = Theme::built_in(name);
        let user_file = user_dir
            .map(|d| d.join(format!("{name}.toml")))
            .filter(|p| p.exists());
        let (mut theme, warning) = match (user_file, base) {
            (Some(path), base) => {
                let parsed = crate::io::catalog::read_source(&path)
                    .and_then(|src| Theme::parse(&src, Some(base.as_ref().unwrap_or(&fallback))));
                match parsed {
                    Ok(t) => (t, None),
                    Err(d) => (fallback, Some(format!("theme not loaded, using dark: {d}"))),
                }
            }
            (None, Some(t)) => (t, None),
            (None, None) => {
                let known = Theme::built_in_names().join(", ");
                (
                    fallback,
                    Some(format!(
                        "unknown theme `{name}` (built in: {known}); using dark"
                    )),
                )
            }
        };
        if no_color {
            theme.colors = MONO;
            theme.monochrome = true;
        }
        (theme, warning)
    }

    fn fg(&self, c: Color) -> Style {
        Style::default().fg(c)
    }

    /// Ordinary text.
    pub fn text(&self) -> Style {
        self.fg(self.colors.text)
    }

    /// Secondary text.
    pub fn text_dim(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::DIM)
        } else {
            self.fg(self.colors.text_dim)
        }
    }

    /// A pane border.
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(self.colors.border_focused)
                .add_modifier(Modifier::BOLD)
        } else {
            self.fg(self.colors.border)
        }
    }

    /// A pane or dialog title.
    pub fn title(&self) -> Style {
        self.fg(self.colors.title).add_modifier(Modifier::BOLD)
    }

    /// Keys and other accents.
    pub fn accent(&self) -> Style {
        self.fg(self.colors.accent).add_modifier(Modifier::BOLD)
    }

    /// The selected row.
    pub fn selection(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .fg(self.colors.selection_fg)
                .bg(self.colors.selection_bg)
        }
    }

    /// The status line.
    pub fn status_line(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .fg(self.colors.status_fg)
                .bg(self.colors.status_bg)
        }
    }

    /// Something went well.
    pub fn text_ok(&self) -> Style {
        self.fg(self.colors.ok)
    }

    /// Needs attention.
    pub fn text_warning(&self) -> Style {
        self.fg(self.colors.warning).add_modifier(Modifier::BOLD)
    }

    /// Danger: failures, destructive actions.
    pub fn text_danger(&self) -> Style {
        self.fg(self.colors.danger).add_modifier(Modifier::BOLD)
    }

    /// A highlighted log line (errors).
    pub fn log_highlight(&self) -> Style {
        let s = self.fg(self.colors.log_highlight);
        if self.monochrome {
            s.add_modifier(Modifier::BOLD)
        } else {
            s
        }
    }

    /// A search match inside a log line (reversed, underlined: readable without colour).
    pub fn search_match(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
    }

    /// A host state.
    pub fn host_state(&self, state: HostState) -> Style {
        let c = match state {
            HostState::Up => self.colors.state_up,
            HostState::Degraded => self.colors.state_degraded,
            HostState::Down => self.colors.state_down,
            HostState::Recovering => self.colors.state_recovering,
            HostState::Recovered => self.colors.state_recovered,
            HostState::Unknown => self.colors.state_unknown,
        };
        let s = self.fg(c);
        match state {
            HostState::Down => s.add_modifier(Modifier::BOLD),
            HostState::Degraded if self.monochrome => s.add_modifier(Modifier::UNDERLINED),
            _ => s,
        }
    }

    /// A severity badge.
    pub fn severity(&self, severity: Severity) -> Style {
        let c = match severity {
            Severity::P0 => self.colors.severity_p0,
            Severity::P1 => self.colors.severity_p1,
            Severity::P2 => self.colors.severity_p2,
            Severity::P3 => self.colors.severity_p3,
        };
        self.fg(c).add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses_and_sets_every_colour() {
        assert!(Theme::built_in_names().len() >= 3);
        for name in Theme::built_in_names() {
            let (path, text) = SHIPPED_THEMES
                .iter()
                .find(|(p, _)| p.contains(name))
                .copied()
                .unwrap_or_default();
            let theme = Theme::parse(&SourceFile::new(path, text), None);
            let Ok(theme) = theme else {
                panic!("{name}: {theme:?}")
            };
            // Parsed over the all-reset palette: a colour left out would stay Reset.
            assert_ne!(theme.colors.state_down, Color::Reset, "{name}");
            assert_ne!(theme.colors.selection_bg, Color::Reset, "{name}");
        }
    }

    #[test]
    fn bad_colour_is_located() {
        let src = SourceFile::new("t.toml", "name = \"x\"\n[colors]\ndanger = \"blurple\"\n");
        let err = Theme::parse(&src, None)
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(
            err.starts_with("t.toml:3:10: error: `blurple` is not a colour"),
            "{err}"
        );
    }

    #[test]
    fn user_theme_overrides_a_built_in_and_inherits_the_rest() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("dark.toml");
        std::fs::write(&file, "name = \"dark\"\n[colors]\ndanger = \"#123456\"\n")
            .unwrap_or_default();
        let (theme, warning) = Theme::load("dark", Some(dir.path()), false);
        assert_eq!(warning, None);
        assert_eq!(theme.colors.danger, Color::Rgb(0x12, 0x34, 0x56));
        let built_in = Theme::load("dark", None, false).0;
        assert_eq!(theme.colors.state_up, built_in.colors.state_up);

        std::fs::write(&file, "name = \"dark\"\n[colors]\ndanger = 7\n").unwrap_or_default();
        let (theme, warning) = Theme::load("dark", Some(dir.path()), false);
        assert_eq!(
            theme, built_in,
            "a broken user theme falls back to the built-in"
        );
        assert!(warning.is_some_and(|w| w.contains("dark.toml:3:10")));

        let (_, warning) = Theme::load("neon", None, false);
        assert!(warning.is_some_and(|w| w.contains("unknown theme `neon`")));
    }

    #[test]
    fn no_color_drops_every_colour() {
        let (theme, warning) = Theme::load("dark", None, true);
        assert!(warning.is_none());
        assert_eq!(theme.host_state(HostState::Down).fg, Some(Color::Reset));
        assert!(theme.selection().add_modifier.contains(Modifier::REVERSED));
    }
}
