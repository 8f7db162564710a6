import sys, time, ek_a11y, pyatspi
app = ek_a11y.find_app()
ek_a11y.wait_page("start")
time.sleep(1)
ek_a11y.key("Tab")
time.sleep(0.5)
w = ek_a11y.active_window(app)
print("focused:", ek_a11y.focused(w).name)
ek_a11y.key("Return")
ek_a11y.wait_page("login")
time.sleep(1)
w = ek_a11y.active_window(app)
def rec(n, d=0):
    try:
        e = n.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        ext = (e.x, e.y, e.width, e.height)
    except Exception as err:
        ext = str(err)[:40]
    st = n.getState()
    print("  "*d, "F" if st.contains(pyatspi.STATE_FOCUSED) else " ", n.getRoleName(), repr(n.name), ext, n.childCount, [pyatspi.stateToString(s) for s in st.getStates()] if d < 4 else "")
    if d >= 3: return
    for i in range(n.childCount):
        rec(n.getChildAtIndex(i), d+1)
rec(w)
