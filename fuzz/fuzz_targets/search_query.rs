//! Fuzzes the search language and the search form: any text parses or is refused without a
//! panic, and a query that parses means the same after a trip through the form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_books::query::parse;
use qonto_tui::app::search_form::Form;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(query) = parse(&text) else {
        return;
    };
    let form = Form::from_text(&text).expect("a query that parses fills the form");
    let back = form.to_text();
    assert_eq!(parse(&back).ok(), Some(query), "{text:?} → {back:?}");
});
