//! The terminal UI: the only layer that imports ratatui and crossterm.

pub mod action;
pub mod app;
pub mod command;
pub mod console;
pub mod draw;
pub mod event;
pub mod hostrow;
pub mod keymap;
pub mod layout;
pub mod logs;
pub mod mouse;
pub mod overlay;
pub mod pacer;
pub mod pane;
pub mod panes;
pub mod replay;
pub mod runtime;
pub mod screen_guard;
pub mod shared_link;
pub mod team_link;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod widgets;
