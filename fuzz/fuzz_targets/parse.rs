//! Fuzzes the record parser: any bytes must give a result (a model or an error), never a panic,
//! and an accepted record must have what the sign-off gate requires.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = incident_archive::record::parse(Path::new("fuzz.md"), data);
    if parsed.accepted() {
        let inc = parsed.incident.as_ref().expect("an accepted record has a model");
        assert!(incident_archive::record::values::is_safe_id(&inc.id));
        assert!(inc.started_at.is_some() && inc.sign_off.date.is_some());
        assert!(!inc.title.is_empty() && !inc.sign_off.approved_by.is_empty());
    } else {
        assert!(parsed.errors().next().is_some(), "a rejected record says why");
    }
    let sections: usize = parsed.incident.iter().flat_map(|i| &i.sections).map(|s| s.markdown.len()).sum();
    assert!(sections <= data.len());
});
