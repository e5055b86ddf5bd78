from django.urls import path, re_path

from . import alphabetic_index, claim_views, edits, guidelines, pcs_index, personal_views, search_views, tables, views

app_name = "codes"

SYSTEM = r"(?P<system>icd-10-cm|icd-10-pcs|hcpcs|cpt|ms-drg)"
GUIDELINES = r"(?P<system>icd-10-cm|icd-10-pcs)"

urlpatterns = [
    # Case2Code; /lookup/ (the first code lookup) answers with the search results page too.
    path("lookup/", search_views.search_page, name="lookup"),
    path("search/", search_views.search_page, name="search"),
    path("search/suggest", search_views.search_suggest, name="search_suggest"),
    path("search/batch/", search_views.batch, name="batch"),
    path("api/v1/search", search_views.api_search, name="api_search"),
    path("data-sources/", views.data_sources, name="data_sources"),
    # The claim check (codes/claims/ holds its rules).
    path("claim-check/", claim_views.claim_check, name="claim_check"),
    path("claim-check/batch/", claim_views.claim_batch_page, name="claim_batch"),
    path("claim-check/batch/sample.csv", claim_views.claim_batch_sample, name="claim_batch_sample"),
    path("claim-check/saved/", claim_views.saved_claims, name="saved_claims"),
    path("claim-check/saved/<int:pk>/", claim_views.saved_claim, name="saved_claim"),
    path("claim-check/saved/<int:pk>/delete/", claim_views.delete_saved_claim, name="delete_saved_claim"),
    path("api/v1/claim-check", claim_views.api_claim_check, name="api_claim_check"),
    # A user's own data on codes, under /accounts/ with the rest of what is theirs.
    path("accounts/favourites/<str:system>/<str:code>/", personal_views.favourite, name="favourite"),
    path("accounts/notes/<str:system>/<str:code>/", personal_views.note, name="note"),
    path("accounts/export.csv", personal_views.export, name="export"),
    path("api/v1/codes/<str:system>/<str:code>", views.api_code, name="api_code"),
    path("icd-10-cm/tables/<str:index>/", tables.index_table, name="index_table"),
    path("icd-10-pcs/index/", pcs_index.pcs_index, name="pcs_index"),
    # The Alphabetic Index (main index) and the Official Guidelines, before the code pages' patterns.
    path("icd-10-cm/index/", alphabetic_index.index_home, name="index_home"),
    path("icd-10-cm/index/<str:letter>/", alphabetic_index.index_letter, name="index_letter"),
    path("icd-10-cm/index/<str:letter>/<str:slug>/", alphabetic_index.index_term, name="index_term"),
    path("api/v1/icd-10-cm/index", alphabetic_index.api_index, name="api_index"),
    re_path(rf"^{GUIDELINES}/guidelines/$", guidelines.contents, name="guidelines"),
    re_path(rf"^{GUIDELINES}/guidelines/(?P<number>[^/]+)/$", guidelines.section, name="guideline"),
    # Any system in the API's URLs: one not in GUIDELINE_SYSTEMS gets a JSON 404, not the HTML one.
    path("api/v1/<str:system>/guidelines", guidelines.api_search, name="api_guidelines"),
    path("api/v1/<str:system>/guidelines/<str:number>", guidelines.api_section, name="api_guideline"),
    re_path(r"^(?P<system>hcpcs)/modifiers/$", views.modifier_list, name="modifier_list"),
    re_path(r"^(?P<system>hcpcs)/modifiers/(?P<code>[^/]+)/$", views.modifier, name="modifier"),
    re_path(rf"^{SYSTEM}/$", views.browse, name="browse"),
    re_path(rf"^{SYSTEM}/browse/(?P<code>[^/]+)/$", views.browse_node, name="browse_node"),
    re_path(rf"^{SYSTEM}/(?P<code>[^/]+)/$", views.code_page, name="code"),
    re_path(rf"^{SYSTEM}/(?P<code>[^/]+)/edits/$", edits.ptp_edits, name="ptp_edits"),
]
