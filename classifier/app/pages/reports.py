"""What the findings database holds, one row per report, with remove."""
import streamlit as st

from classifier.access import allowed
from classifier.app.common import (actor, csv_download, escape_markdown, generation,
                                   reports_table, store)

st.title("Stored reports")
reports = reports_table(generation())
can_add = allowed(actor(), "add_report")
st.caption(f"{len(reports)} report(s), {int(reports['findings'].sum()) if len(reports) else 0} "
           f"findings in `{escape_markdown(store().url)}`."
           + (" Add reports on *Classify reports* or with `python -m classifier history add "
              "FILE --date YYYY-MM-DD`." if can_add else ""))
st.dataframe(reports, hide_index=True, width="stretch", key="reports_table", column_config={
    "source_url": st.column_config.LinkColumn("source", help="where it was published (the "
                                              "attribution the Open Government Licence asks for)"),
    "held_out": st.column_config.CheckboxColumn(help="in the sealed test split: shown, never "
                                                "used as a training correction")})
csv_download(reports, "reports.csv", key="dl-reports")

if "removed" in st.session_state:
    gone = st.session_state.pop("removed")
    st.success(f"Removed report {gone['id']} ({escape_markdown(gone['title'][:80])}) and its "
               f"{gone['findings']} findings.")

if len(reports) and allowed(actor(), "remove_report"):  # the store refuses others anyway
    st.subheader("Remove a report")
    names = dict(zip(reports["id"], reports["title"]))
    choice = st.selectbox("Report", list(names), key="remove_choice",
                          format_func=lambda i: f"{i}: {names[i][:90]}")
    sure = st.checkbox("Yes, remove this report, its findings and any corrections made to them",
                       key="remove_sure")
    if st.button("Remove", key="remove", disabled=not sure, type="primary"):
        st.session_state["removed"] = store().remove_report(int(choice))
        st.rerun()
