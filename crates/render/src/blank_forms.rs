//! Blank forms a citizen fills in by hand, offered as the catalog's form
//! templates (issue 19, point 1). The demo puts the birth registration
//! declaration behind procedure 1.001193's template; a province puts its
//! own files through the API.

use serde::Serialize;

use crate::RenderError;
use crate::pdf::{Template, compile_form};

const BIRTH: Template = Template {
    path: "/templates/blank-birth-declaration.typ",
    text: include_str!("../templates/blank-birth-declaration.typ"),
};

#[derive(Serialize)]
struct Data {
    title: &'static str,
}

/// The blank birth registration declaration (Tờ khai đăng ký khai sinh,
/// the form of Circular 04/2020/TT-BTP), as PDF.
pub fn birth_declaration() -> Result<Vec<u8>, RenderError> {
    compile_form(
        &BIRTH,
        &Data {
            title: "Tờ khai đăng ký khai sinh",
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_blank_declaration_is_a_pdf_with_its_title() {
        let pdf = super::birth_declaration().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 1000);
    }
}
