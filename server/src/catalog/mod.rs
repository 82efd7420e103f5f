//! The published courses held in memory, rendered HTML included, so a page request only
//! looks things up. Rebuilt from the database whenever content is imported. The catalog's
//! pages (the list, a course, a lesson) are read in [`pages`].

mod pages;

use crate::access::{Route, Rule};
use crate::content::store::{self, StoreError, StoredCourse};
use crate::enrollment;
use app::catalog::{CatalogFilter, CourseCard, CourseDetail, LessonPage};
use app::error::AppError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Published content: the same for every anonymous reader until the catalog changes, so the
/// page cache may keep these pages.
pub fn routes() -> Vec<Route> {
    vec![
        Route::page("/", Rule::Anyone).cached(),
        Route::page("/courses", Rule::Anyone).cached(),
        Route::page("/courses/{course}", Rule::Anyone).cached(),
        Route::page("/courses/{course}/{lesson}", Rule::Anyone).cached(),
        Route::server_fn("/api/courses", Rule::Anyone),
        Route::server_fn("/api/course", Rule::Anyone),
        Route::server_fn("/api/lesson", Rule::Anyone),
        Route::server_fn("/api/clock", Rule::Anyone),
    ]
}

#[derive(Debug, Default)]
pub struct Catalog {
    /// Featured first, then by title.
    courses: Vec<CourseDetail>,
    by_slug: HashMap<String, usize>,
    /// Lesson pages by (course, lesson), complete with previous and next.
    lessons: HashMap<(String, String), LessonPage>,
    /// Each course's published revision (row id), by slug: an enrolled learner pinned to it
    /// reads its lessons from here.
    revisions: HashMap<String, i64>,
}

impl Catalog {
    pub fn new(stored: Vec<StoredCourse>) -> Self {
        let mut courses: Vec<StoredCourse> = stored;
        courses.sort_by(|a, b| {
            b.detail
                .card
                .featured
                .cmp(&a.detail.card.featured)
                .then_with(|| a.detail.card.title.cmp(&b.detail.card.title))
        });
        let mut catalog = Catalog::default();
        for (index, course) in courses.into_iter().enumerate() {
            let card = &course.detail.card;
            let count = u32::try_from(course.lessons.len()).unwrap_or(u32::MAX);
            for (i, lesson) in course.lessons.iter().enumerate() {
                let page = LessonPage {
                    course_slug: card.slug.clone(),
                    course_title: card.title.clone(),
                    lesson: lesson.link.clone(),
                    lesson_count: count,
                    html: lesson.html.clone(),
                    toc: lesson.toc.clone(),
                    previous: i.checked_sub(1).map(|p| course.lessons[p].link.clone()),
                    next: course.lessons.get(i + 1).map(|n| n.link.clone()),
                };
                catalog
                    .lessons
                    .insert((card.slug.clone(), lesson.link.slug.clone()), page);
            }
            catalog.by_slug.insert(card.slug.clone(), index);
            catalog
                .revisions
                .insert(card.slug.clone(), course.revision_id);
            catalog.courses.push(course.detail);
        }
        catalog
    }

    pub fn len(&self) -> usize {
        self.courses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.courses.is_empty()
    }
}

/// The backend the pages call: the current catalog behind a lock that is only written when
/// content changes.
#[derive(Debug, Default)]
pub struct CatalogService {
    current: RwLock<Arc<Catalog>>,
    /// Bumped on every reload, so anything derived from the catalog knows it is stale.
    generation: AtomicU64,
    /// The database's catalog version this catalog was read at.
    version: std::sync::atomic::AtomicI64,
    /// Lesson pages of older revisions that enrolled learners are pinned to, by (revision
    /// row id, lesson). A published revision never changes, so an entry never goes stale;
    /// the map is emptied when it reaches [`PINNED_LESSONS_KEPT`].
    pinned: std::sync::Mutex<HashMap<(i64, String), LessonPage>>,
}

/// How many pinned lesson pages of older revisions are kept in memory at most.
pub const PINNED_LESSONS_KEPT: usize = 1024;

/// How often each app server asks whether the catalog changed (one single-row read).
pub const CATALOG_POLL: std::time::Duration = std::time::Duration::from_secs(2);

impl CatalogService {
    pub async fn load(pool: &crate::db::Pool) -> Result<Self, StoreError> {
        let service = Self::default();
        service.reload(pool).await?;
        Ok(service)
    }

    /// Re-reads the published revisions (after an import or a publish).
    pub async fn reload(&self, pool: &crate::db::Pool) -> Result<(), StoreError> {
        // The version first: a publish after this read moves it again, and the next
        // refresh reloads once more, so none is missed.
        let version = store::catalog_version(pool).await?;
        let catalog = Arc::new(Catalog::new(store::published(pool).await?));
        self.version.store(version, Ordering::Release);
        match self.current.write() {
            Ok(mut current) => *current = catalog,
            Err(poisoned) => *poisoned.into_inner() = catalog,
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Reloads when the database's catalog version moved since the last load (another app
    /// server imported or published): the page cache, keyed by [`Self::generation`], is
    /// dropped with it. Says whether it reloaded.
    pub async fn refresh(&self, pool: &crate::db::Pool) -> Result<bool, StoreError> {
        let version = store::catalog_version(pool).await?;
        if version == self.version.load(Ordering::Acquire) {
            return Ok(false);
        }
        self.reload(pool).await?;
        Ok(true)
    }

    /// Calls [`Self::refresh`] every [`CATALOG_POLL`], for as long as the server runs.
    pub fn watch(self: Arc<Self>, pool: crate::db::Pool) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(CATALOG_POLL);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                match self.refresh(&pool).await {
                    Ok(true) => tracing::info!(
                        courses = self.snapshot().len(),
                        "catalog changed in the database: reloaded"
                    ),
                    Ok(false) => {}
                    Err(error) => tracing::warn!(%error, "could not check the catalog version"),
                }
            }
        });
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn snapshot(&self) -> Arc<Catalog> {
        match self.current.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
}

/// Lookups the pages make; answered from memory.
impl CatalogService {
    /// The catalog's list: an expired activity is no longer offered (its learners keep their
    /// certificates, and its page stays for them).
    pub async fn courses(&self, filter: &CatalogFilter) -> Result<Vec<CourseCard>, AppError> {
        let today = crate::clock::today();
        Ok(self
            .snapshot()
            .courses
            .iter()
            .map(|course| &course.card)
            .filter(|card| card.expiry_date.is_empty() || card.expiry_date >= today)
            .filter(|card| filter.matches(card))
            .cloned()
            .collect())
    }

    pub async fn course(&self, slug: &str) -> Result<CourseDetail, AppError> {
        let catalog = self.snapshot();
        catalog
            .by_slug
            .get(slug)
            .map(|&index| catalog.courses[index].clone())
            .ok_or_else(|| AppError::not_found(format!("There is no course at /courses/{slug}.")))
    }

    /// A lesson of the revision `revision` (row id) of `course`, from memory: the published
    /// catalog when it is the published revision, else the pinned pages read before. `None`
    /// when neither holds it (the caller reads it from the database and [`Self::keep_pinned`]s
    /// it).
    pub fn lesson_of_revision(
        &self,
        revision: i64,
        course: &str,
        lesson: &str,
    ) -> Option<LessonPage> {
        let catalog = self.snapshot();
        if catalog.revisions.get(course) == Some(&revision) {
            return catalog
                .lessons
                .get(&(course.to_owned(), lesson.to_owned()))
                .cloned();
        }
        let pinned = self.pinned.lock().unwrap_or_else(|p| p.into_inner());
        pinned.get(&(revision, lesson.to_owned())).cloned()
    }

    /// Keeps a lesson page of revision `revision` (row id), read from the database.
    pub fn keep_pinned(&self, revision: i64, page: &LessonPage) {
        let mut pinned = self.pinned.lock().unwrap_or_else(|p| p.into_inner());
        if pinned.len() >= PINNED_LESSONS_KEPT {
            pinned.clear();
        }
        pinned.insert((revision, page.lesson.slug.clone()), page.clone());
    }

    pub async fn lesson(&self, course: &str, lesson: &str) -> Result<LessonPage, AppError> {
        let catalog = self.snapshot();
        catalog
            .lessons
            .get(&(course.to_owned(), lesson.to_owned()))
            .cloned()
            .ok_or_else(|| {
                if catalog.by_slug.contains_key(course) {
                    AppError::not_found(format!("The course has no lesson called \"{lesson}\"."))
                } else {
                    AppError::not_found(format!("There is no course at /courses/{course}."))
                }
            })
    }
}
