//! Reusable view pieces.

pub mod badges;
pub mod field;
pub mod flash;
pub mod html_text;
pub mod layout;
pub mod modal;
pub mod toast;
