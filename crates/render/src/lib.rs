//! Documents motcua produces from values it is given: XLSX exports (and,
//! later, official forms as PDF and SVG charts). No database access: callers
//! load the data and pass it in.
