"""Expected answer for every URL name x kind of person x method, for the world in conftest.py.

Each row: "GET" and "POST" give the status for signed-in people, either one number for all of them or
a dict with a default "*" and exceptions per person. The anonymous visitor is sent to the login page
(LOGIN) unless the row says otherwise with an "anonymous" key. "writes" names the people whose
(empty-bodied) POST may change the database; everything else must leave every row of our apps as it was.
"get_writes" lists tables a GET may append to (the audit trail of a data export).

People: anonymous; outsider (department B: cannot see the movement, limited to department A);
member (joined, wrote the post); lead (founder, wrote the comment); moderator (department A, not a member);
admin (staff, department B: staff see every movement); sponsor (department A, the movement's sponsor, not a
member); manager (department A, manages the lead and the member, asked to sponsor, not a member);
other_manager (department B, manages the outsider: answers as the outsider unless a row says otherwise).
"""

LOGIN = "login"  # 302 to the login page
EVERYONE = frozenset({"outsider", "member", "lead", "moderator", "admin", "sponsor", "manager", "other_manager"})
# People of department A (or staff) who see the movement without following it.
NON_MEMBERS_WHO_SEE = {"moderator": 403, "admin": 403, "sponsor": 403, "manager": 403}
SEE_WITHOUT_FOLLOWING = frozenset({"moderator", "admin", "sponsor", "manager"})
# Who answers like whom when a row does not name them: another branch's manager is an outsider here.
ALIKE = {"other_manager": "outsider"}
LEADS_ONLY = {"*": 403, "outsider": 404, "lead": 200}
STAFF_ONLY = {"*": 404, "admin": 200}
FEED = {"GET": {"*": 200, "anonymous": 200}, "POST": {"*": 405, "anonymous": 405}}
API_401 = {"anonymous": 401}
API_200 = {"*": 200, **API_401}
API_405 = {"*": 405, "anonymous": 405}  # the method is checked before who is calling
API_400 = {"*": 400, "anonymous": 401}  # an empty form body is not JSON, whatever the post

URL_TABLE: dict[str, dict] = {
    "home": {"GET": 200, "POST": 405},
    # A person's page and the directory: everyone signed in; what is limited to a department is left out
    # for people outside it (tests/hardening/test_people_pages.py).
    "people_directory": {"GET": 200, "POST": 405},
    "person": {"GET": 200, "POST": 405},
    "healthz": {"GET": {"*": 200, "anonymous": 200}, "POST": {"*": 405, "anonymous": 405}},
    # The admin signs in through allauth (the same limits); signed in without staff rights, the admin is a 404.
    "admin_login": {"GET": {"*": 404, "admin": 302}, "POST": {"*": 404, "admin": 302}},
    "movement_analytics": {"GET": {"*": 404, "lead": 200, "admin": 200}, "POST": 405},
    "dashboards:overview": {"GET": {"*": 404, "admin": 200}, "POST": 405},
    # --- movements
    "movements:list": {"GET": 200, "POST": 405},
    "lessons": {"GET": 200, "POST": 405},
    "movements:new": {"GET": 200, "POST": 200},  # an empty form comes back with its errors
    # Similar movements for what is typed: only what the person can see (the outsider gets an empty list).
    "movements:similar": {"GET": 200, "POST": 405},
    "movements:detail": {"GET": {"*": 200, "outsider": 404}, "POST": 405},
    "movements:members": {"GET": {"*": 200, "outsider": 404}, "POST": 405},
    "movements:edit": {"GET": LEADS_ONLY, "POST": LEADS_ONLY},
    "movements:follow": {"GET": 405, "POST": {"*": 302, "outsider": 404}, "writes": SEE_WITHOUT_FOLLOWING},
    # GET is the confirmation page (second thoughts); the POST leaves.
    "movements:leave": {"GET": {"*": 200, "outsider": 404}, "POST": {"*": 302, "outsider": 404}, "writes": {"member"}},
    "movements:roles": {"GET": LEADS_ONLY, "POST": LEADS_ONLY},
    "movements:role_edit": {"GET": LEADS_ONLY, "POST": LEADS_ONLY},
    # GET is the confirmation page (second thoughts) for the three below; the POST acts.
    "movements:role_delete": {
        "GET": {"*": 403, "outsider": 404, "lead": 200},
        "POST": {"*": 403, "outsider": 404, "lead": 302},
        "writes": {"lead"},
    },
    "movements:role_claim": {
        "GET": 405,
        "POST": {"*": 302, "outsider": 404, **NON_MEMBERS_WHO_SEE},
        "writes": {"member", "lead"},
    },
    "movements:role_release": {
        "GET": {"*": 200, "outsider": 404},
        "POST": {"*": 302, "outsider": 404},
    },  # holds no seat: a message only
    "movements:role_assign": {"GET": 405, "POST": {"*": 403, "outsider": 404, "lead": 302}},  # no member picked
    "movements:lead_add": {"GET": 405, "POST": {"*": 403, "outsider": 404, "lead": 302}, "writes": {"lead"}},
    "movements:lead_step_down": {
        "GET": {"*": 403, "outsider": 404, "lead": 200},
        "POST": {"*": 403, "outsider": 404, "lead": 302},
    },  # the last lead stays
    "movements:invite": {
        "GET": {"*": 200, "outsider": 404, **NON_MEMBERS_WHO_SEE},
        "POST": {"*": 200, "outsider": 404, **NON_MEMBERS_WHO_SEE},
    },
    # Only the invitee (not one of the six) may see it; signed out, the emailed link shows sign-in / sign-up.
    "movements:invitation": {"GET": {"*": 404, "anonymous": 200}, "POST": 404},
    # The member sent the world's invitation: only they see, resend or cancel it (cancel asks once more).
    "movements:invitation_resend": {"GET": 405, "POST": {"*": 404, "member": 302}, "writes": {"member"}},
    "movements:invitation_cancel": {"GET": {"*": 404, "member": 200}, "POST": {"*": 404, "member": 200}},
    "movements:recruit": {
        "GET": {"*": 200, "outsider": 404},
        "POST": {"*": 302, "outsider": 404},
        "writes": SEE_WITHOUT_FOLLOWING,
    },
    "movements:update_post": {"GET": 405, "POST": {"*": 400, "outsider": 404, **NON_MEMBERS_WHO_SEE}},
    # The member wrote the update: only they may edit it (an empty body is a 400); its history is for all who see.
    "movements:update_edit": {"GET": {"*": 404, "member": 200}, "POST": {"*": 404, "member": 400}},
    "movements:update_history": {"GET": {"*": 200, "outsider": 404}, "POST": 405},
    "movements:welcome": {"GET": LEADS_ONLY, "POST": LEADS_ONLY},
    "movements:pilot": {"GET": LEADS_ONLY, "POST": LEADS_ONLY},
    # The old direct decision page: a pilot's decision is shared, so it sends whoever sees the movement to the
    # proposal page (which decides who may do what) and records nothing.
    "movements:decision": {"GET": {"*": 302, "outsider": 404}, "POST": {"*": 302, "outsider": 404}},
    "movements:supersede": {"GET": LEADS_ONLY, "POST": {"*": 403, "outsider": 404, "lead": 400}},
    # --- feedback
    "feedback:list": {"GET": 200, "POST": 405},
    "feedback:new": {"GET": 200, "POST": 200},
    "feedback:similar": {"GET": 200, "POST": 405},
    # Merging a duplicate: moderators and the leads of the post's movement; an empty POST is a form with errors.
    "feedback:merge": {
        "GET": {"*": 403, "outsider": 404, "lead": 200, "moderator": 200, "admin": 200},
        "POST": {"*": 403, "outsider": 404, "lead": 400, "moderator": 400, "admin": 400},
    },
    # The world has no merge: no merge page for anyone (tests/feedback/test_merging.py covers who sees one).
    "feedback:merge_detail": {"GET": 404, "POST": 405},
    "feedback:merge_undo": {"GET": 405, "POST": 404},
    "feedback:moderation": {"GET": {"*": 404, "moderator": 200, "admin": 200}, "POST": 405},
    # Topics: moderators only; nobody else learns which topics exist. An empty POST: approve approves the
    # member's pending topic; rename and merge are forms with errors; retire asks once more (no "confirmed").
    "feedback:topics": {"GET": {"*": 404, "moderator": 200, "admin": 200}, "POST": 405},
    "feedback:topic_approve": {
        "GET": 405,
        "POST": {"*": 404, "moderator": 302, "admin": 302},
        "writes": {"moderator", "admin"},
    },
    "feedback:topic_rename": {
        "GET": {"*": 404, "moderator": 200, "admin": 200},
        "POST": {"*": 404, "moderator": 400, "admin": 400},
    },
    "feedback:topic_merge": {
        "GET": {"*": 404, "moderator": 200, "admin": 200},
        "POST": {"*": 404, "moderator": 400, "admin": 400},
    },
    "feedback:topic_retire": {
        "GET": {"*": 404, "moderator": 200, "admin": 200},
        "POST": {"*": 404, "moderator": 200, "admin": 200},
    },
    "feedback:detail": {"GET": {"*": 200, "outsider": 404}, "POST": 405},
    # Watching (conversation app): an empty POST (not from the button) changes nothing and goes back to the page.
    "conversation:watch_feedback": {"GET": 405, "POST": {"*": 302, "outsider": 404}},
    "conversation:watch_movement": {"GET": 405, "POST": {"*": 302, "outsider": 404}},
    # Replies to a movement update: an empty reply comes back with its reason; delete and hide ask once more.
    "conversation:reply_add": {"GET": 405, "POST": {"*": 400, "outsider": 404}},
    "conversation:reply_delete": {"GET": {"*": 404, "member": 200}, "POST": {"*": 404, "member": 200}},
    "conversation:reply_moderate": {
        "GET": {"*": 403, "outsider": 404, "moderator": 200, "admin": 200},
        "POST": {"*": 403, "outsider": 404, "moderator": 200, "admin": 200},
    },
    # The @mention suggestions: the directory, open to every signed-in colleague (no ?q=: a hint only).
    "conversation:mention_suggestions": {"GET": 200, "POST": 405},
    # An empty POST does not say "vote" or "unvote": a 400 that changes nothing (test_an_allowed_write... votes).
    "feedback:vote": {"GET": 405, "POST": {"*": 400, "outsider": 404}},
    "feedback:comment_add": {"GET": 405, "POST": {"*": 400, "outsider": 404}},
    # Only the named author (member) may edit or withdraw; an unconfirmed POST asks once more (second thoughts).
    "feedback:edit": {"GET": {"*": 404, "member": 200}, "POST": {"*": 404, "member": 400}},
    "feedback:withdraw": {"GET": {"*": 404, "member": 200}, "POST": {"*": 404, "member": 200}},
    "feedback:history": {"GET": {"*": 200, "outsider": 404}, "POST": 405},
    "feedback:preview": {"GET": 405, "POST": 200},  # an empty body: "Nothing to preview yet"
    "feedback:answer": {
        "GET": 405,
        "POST": {"*": 400, "outsider": 404, "member": 403, "sponsor": 403, "manager": 403},  # a sponsor is no lead
    },
    "feedback:report": {"GET": {"*": 200, "outsider": 404}, "POST": {"*": 400, "outsider": 404}},
    "feedback:moderate": {
        "GET": {"*": 404, "moderator": 200, "admin": 200},
        "POST": {"*": 404, "moderator": 400, "admin": 400},
    },
    "feedback:comment_edit": {"GET": {"*": 404, "lead": 200}, "POST": {"*": 404, "lead": 400}},
    "feedback:comment_delete": {"GET": {"*": 404, "lead": 200}, "POST": {"*": 404, "lead": 302}, "writes": {"lead"}},
    "feedback:comment_report": {"GET": {"*": 200, "outsider": 404}, "POST": {"*": 400, "outsider": 404}},
    "feedback:comment_moderate": {
        "GET": {"*": 404, "moderator": 200, "admin": 200},
        "POST": {"*": 404, "moderator": 400, "admin": 400},
    },
    # --- nudges
    "nudges:list": {"GET": 200, "POST": 405},
    "nudges:bell": {"GET": 200, "POST": 405},
    "nudges:read": {"GET": 405, "POST": {"*": 404, "member": 302}, "writes": {"member"}},
    "nudges:read_all": {"GET": 405, "POST": 302, "writes": {"member"}},
    "nudges:preferences": {"GET": 200, "POST": 200},  # an empty POST is an unbound form
    # One-click unsubscribe (RFC 8058): public and CSRF-exempt; the signed token is the proof.
    "nudges:unsubscribe": {
        "GET": {"*": 200, "anonymous": 200},
        "POST": {"*": 200, "anonymous": 200},
        "writes": EVERYONE | {"anonymous"},
    },
    # --- pilots (measures: the leads define them; leads and the holders of a measure's role record values)
    "pilots:measures": {"GET": LEADS_ONLY, "POST": LEADS_ONLY},  # an empty POST comes back with its errors
    "pilots:measure_record": {"GET": LEADS_ONLY, "POST": LEADS_ONLY},  # nobody else holds a recording role here
    # Members answer the pulse (none is open in this world: the page says so); everyone else who sees it 403.
    "pilots:pulse_answer": {
        "GET": {"*": 200, "outsider": 404, **NON_MEMBERS_WHO_SEE},
        "POST": {"*": 200, "outsider": 404, **NON_MEMBERS_WHO_SEE},
    },
    # The shared decision: members and leads (an empty POST does nothing and shows the page again).
    "pilots:proposal": {
        "GET": {"*": 200, "outsider": 404, **NON_MEMBERS_WHO_SEE},
        "POST": {"*": 200, "outsider": 404, **NON_MEMBERS_WHO_SEE},
    },
    # --- sponsors (a sponsor is not a lead: 403 wherever leads act; the lead tools are LEADS_ONLY above)
    "sponsors:ask": {"GET": LEADS_ONLY, "POST": LEADS_ONLY},  # an empty POST comes back with its errors
    "sponsors:support_new": {"GET": LEADS_ONLY, "POST": LEADS_ONLY},
    "sponsors:answer": {"GET": {"*": 404, "manager": 200}, "POST": {"*": 404, "manager": 200}},  # only the one asked
    "sponsors:support_answer": {
        "GET": {"*": 403, "outsider": 404, "sponsor": 200},
        "POST": {"*": 403, "outsider": 404, "sponsor": 200},
    },
    "sponsors:sanction": {
        "GET": {"*": 403, "outsider": 404, "sponsor": 200},
        "POST": {"*": 403, "outsider": 404, "sponsor": 200},
    },
    # Nothing to withdraw: the sponsor gets a message and the movement page, nothing changes.
    # Second thoughts: the first POST is the confirmation page; only a POST with confirmed=yes acts.
    "sponsors:sanction_withdraw": {"GET": 405, "POST": {"*": 403, "outsider": 404, "sponsor": 200}},
    # --- a manager's organisation: everyone has their own page (an empty state without reports), nobody another's
    "organisation": {"GET": 200, "POST": 405},
    "organisation_of": {"GET": {"*": 404, "manager": 200}, "POST": 405},
    # --- people
    "people:privacy": {"GET": 200, "POST": 405},
    "people:privacy_export": {"GET": 200, "POST": 405, "get_writes": {"people_auditevent"}},
    "people:privacy_erasure_request": {"GET": 405, "POST": 400},
    # Your own picture: an empty POST is the form with "Choose a picture". Anyone's picture for any colleague.
    "people:avatar_settings": {"GET": 200, "POST": 400},
    "people:avatar": {"GET": 200, "POST": 405},
    # Language and time zone: an empty POST lacks the time zone. The switcher works signed out too (a cookie);
    # an empty one says "not offered here" and goes back, changing nothing.
    "people:locale_settings": {"GET": 200, "POST": 400},
    "people:switch_language": {"GET": {"*": 405, "anonymous": 405}, "POST": {"*": 302, "anonymous": 302}},
    # --- API tokens and integrations
    "api_tokens:list": {"GET": 200, "POST": 200},  # an empty POST is the form with its errors
    "api_tokens:revoke": {"GET": 405, "POST": {"*": 404, "member": 200}},  # asks once more first
    "integrations:endpoints": {"GET": STAFF_ONLY, "POST": {"*": 404, "admin": 400}},
    "integrations:endpoint": {"GET": STAFF_ONLY, "POST": 405},
    "integrations:endpoint_toggle": {"GET": 405, "POST": {"*": 404, "admin": 302}, "writes": {"admin"}},
    "integrations:endpoint_edit": {"GET": STAFF_ONLY, "POST": {"*": 404, "admin": 400}},  # the form with its errors
    "integrations:endpoint_rotate": {"GET": 405, "POST": {"*": 404, "admin": 200}},  # asks once more first
    "integrations:delivery_resend": {"GET": 405, "POST": {"*": 404, "admin": 302}, "writes": {"admin"}},
    "integrations:feeds": {"GET": 200, "POST": 200, "writes": EVERYONE},  # POST makes new feed links
    "integrations:feeds_revoke": {"GET": 405, "POST": 200},  # asks once more first
    "integrations:chat": {"GET": 405, "POST": 400},
    "integrations:movement_chat": {"GET": LEADS_ONLY, "POST": {"*": 403, "outsider": 404, "lead": 400}},
    # The secret in the URL (the member's) is the proof: the session does not matter.
    "integrations:feed_movement": FEED,
    "integrations:feed_feedback": FEED,
    "integrations:feed_pilots": FEED,
    # --- the API (/api/v1/): the anonymous visitor gets a 401 problem, never the login page
    "api:api-root": {"GET": {"*": 404, "anonymous": 404}, "POST": {"*": 405, "anonymous": 405}},  # docs: /api/v1/docs
    "api:openapi-json": {"GET": {"*": 200, "anonymous": 200}, "POST": {"*": 405, "anonymous": 405}},
    "api:openapi-view": {"GET": {"*": 200, "anonymous": 200}, "POST": {"*": 405, "anonymous": 405}},
    "api:me": {"GET": API_200, "POST": API_405},
    "api:movements": {"GET": API_200, "POST": API_405},
    "api:movement": {"GET": {**API_200, "outsider": 404}, "POST": {**API_405}},
    "api:members": {"GET": {**API_200, "outsider": 404}, "POST": API_405},
    # member and lead follow already; the others who can see it may follow
    "api:follow": {
        "GET": API_405,
        "POST": {**API_401, "*": 422, "outsider": 404, **dict.fromkeys(SEE_WITHOUT_FOLLOWING, 200)},
        "writes": SEE_WITHOUT_FOLLOWING,
    },
    # the member may leave; the founder is the last lead; the others do not follow
    "api:leave": {"GET": API_405, "POST": {**API_401, "*": 422, "outsider": 404, "member": 200}, "writes": {"member"}},
    "api:feedback": {"GET": API_200, "POST": API_400},
    "api:feedback_post": {"GET": API_200, "POST": API_400},
    "api:post": {"GET": {**API_200, "outsider": 404}, "POST": API_405},
    "api:vote": {"GET": API_405, "POST": API_405},  # PUT and DELETE (test_endpoints)
    "api:unvote": {"GET": API_405, "POST": API_405},
    "api:comment": {"GET": API_405, "POST": API_400},  # the body is read first: the same 400 for any post
    "api:notifications": {"GET": API_200, "POST": API_405},
    "api:read": {"GET": API_405, "POST": {**API_401, "*": 404, "member": 200}, "writes": {"member"}},
    "api:dashboards": {"GET": {**API_401, "*": 404, "admin": 200}, "POST": API_405},
}


def expected(name: str, who: str, method: str) -> int | str:
    spec = URL_TABLE[name][method]
    if isinstance(spec, int):
        return LOGIN if who == "anonymous" else spec
    if who in spec:
        return spec[who]
    if ALIKE.get(who) in spec:
        return spec[ALIKE[who]]
    return LOGIN if who == "anonymous" else spec["*"]
