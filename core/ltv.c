/* ltv: the lifetime-value factor of one customer, the discounted expected
 * number of periods it pays for, under shifted-beta-geometric (sbg) or plain
 * geometric churn, in a time bounded by constants whatever the parameters.
 * The method and its error bound are in ltv.h. Pure functions: no state, no
 * allocation. */
#include "ltv.h"
#include "elem.h"

#include <math.h>

enum {
    K0 = 256,         /* terms summed one by one before the tail */
    MAX_PANELS = 256, /* quadrature panels of the tail, at most (182 seen) */
    GL_HALF = 8,      /* 16-point Gauss-Legendre: 8 symmetric pairs */
};

/* The most the logarithm of the integrand may change over one panel, and the
 * widest panel, in t = ln(b + k). */
#define PANEL_LOG 12.0
#define PANEL_MAX 4.0
/* The tail integral stops when what is left of it is below this share of
 * the sum; the first K0 terms are the answer when the rest is below it. */
#define NEGLIGIBLE 1e-18

static const double gl_node[GL_HALF] = {
    0.0950125098376374401853, 0.281603550779258913230, 0.458016777657227386342,
    0.617876244402643748447,  0.755404408355003033895, 0.865631202387831743880,
    0.944575023073232576078,  0.989400934991649932596,
};
static const double gl_weight[GL_HALF] = {
    0.189450610455068496285, 0.182603415044923588867, 0.169156519395002538189,
    0.149595988816576732082, 0.124628971255533872052, 0.0951585116824927848099,
    0.0622535239386478928628, 0.0271524594117540948518,
};

/* The tail from k = K0: y = b + k, y0 = b + K0, lx = ln x = -log1p(discount),
 * and what ln(g(k) / g(K0)) subtracts at y0. */
typedef struct {
    double a, lx, y0;
    double y0s, lxs; /* y0 2^-600, lx 2^600: y lx without overflow (y up to
                      * 1e325 matters for a discount of 5e-324) */
    int nt;          /* terms of the series in series_t */
    double h0, L0, ds0;
} tail;

/* The pieces of lnGamma(y + a) - lnGamma(y) at one y >= 256. */
typedef struct {
    double y, r, q; /* y, 1 / y, 1 / (y + a) */
    double yl;      /* y ln x (finite where y is not) */
    double L, h;    /* log1p(u) and log1p(u) / u - 1, u = a / y */
    double ds;      /* sigma(y + a) - sigma(y), sigma the rest of Stirling's series */
} point;

/* 1/3 + z/5 + z^2/7 + ... (n terms, n <= 9) */
static double series_t(double z, int n)
{
    static const double c[10] = { 0,        1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,
                                  1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19 };
    double s = c[n];
    for (int j = n - 1; j >= 1; j--)
        s = s * z + c[j];
    return s;
}

static void point_at(const tail *t, point *p, double y)
{
    const double a = t->a;
    double r, q, d; /* 1 / y, 1 / (y + a), 1 / (2 y + a) */
    if (y < 1e100) { /* one division for the three */
        double yy = y * (y + a), c = 1 / (yy * (2 * y + a));
        r = (y + a) * (2 * y + a) * c;
        q = y * (2 * y + a) * c;
        d = yy * c;
    } else {
        r = 1 / y;
        q = 1 / (y + a);
        d = 1 / (2 * y + a);
    }
    double u = a * r, w = a * d; /* w = u / (2 + u) */
    p->y = y;
    p->r = r;
    p->q = q;
    if (w <= 1.0 / 9) { /* u <= 1/4 */
        /* log1p(u) = 2 w (1 + w^2 T), so log1p(u)/u - 1 = (2 w^2 T - u) / (2 + u),
         * without the cancellation of the direct form */
        double w2 = w * w, T = series_t(w2, t->nt);
        p->L = 2 * w * (1 + w2 * T);
        p->h = (2 * w2 * T - u) * (0.5 - 0.5 * w); /* 1 / (2 + u) = (1 - w) / 2 */
    } else {
        p->L = fc_log1p(u);
        p->h = p->L / u - 1;
    }
    /* sigma(z) = 1/(12 z) - 1/(360 z^3) + 1/(1260 z^5) - ... (next term below
     * 2e-25 for z >= 256), with y^-m - (y + a)^-m = a r q (r^(m-1) + ... + q^(m-1)) */
    double rq = r * q, rr = r * r, qq = q * q;
    p->ds = a * rq *
            (-1.0 / 12 + (rr + rq + qq) / 360 - (rr * rr + rr * rq + rr * qq + rq * qq + qq * qq) / 1260);
}

/* ln(g(k) / g(K0)) at y = b + k = y0 e^tau, p filled in for y:
 * ln S(k) - ln S(K0) = -(D(y) - D(y0)), D(y) = lnGamma(y + a) - lnGamma(y)
 * = a h(u) + (a - 1/2) log1p(u) + a ln y + sigma(y + a) - sigma(y) (Stirling),
 * taken term by term as differences, so that no large number cancels. */
static double log_ratio(const tail *t, double tau, point *p)
{
    double dl; /* (k - K0) ln x */
    if (tau < 700) {
        double e = fc_expm1(tau); /* (k - K0) / y0 */
        point_at(t, p, t->y0 + t->y0 * e);
        p->yl = t->y0s * (1 + e) * t->lxs;
        dl = t->y0s * e * t->lxs;
    } else { /* e^tau overflows, y nearly (y > 1e306): u = a / y taken as 0 */
        point_at(t, p, INFINITY);
        p->yl = t->y0 * fc_exp(tau - 415.88830833596718565) * t->lxs; /* 2^-600 e^tau */
        dl = p->yl - t->y0s * t->lxs;
    }
    double dD = t->a * (p->h - t->h0) + (t->a - 0.5) * (p->L - t->L0) + t->a * tau + (p->ds - t->ds0);
    return dl - dD;
}

/* y (psi(y + a) - psi(y)), psi(z) = ln z - 1/(2 z) - 1/(12 z^2) + 1/(120 z^4) - ...,
 * with y log1p(a / y) = a (1 + h) */
static double y_dpsi(const tail *t, const point *p)
{
    double a = t->a, r = p->r, q = p->q;
    return a * (1 + p->h) + a * q * (0.5 + (r + q) / 12 - (r + q) * (r * r + q * q) / 120);
}

/* The first three derivatives of ln g(k) in k at p, for Euler-Maclaurin:
 * psi(y) - psi(y + a) + ln x, then psi1 and psi2 differences with
 * psi1(z) = 1/z + 1/(2 z^2) + 1/(6 z^3) - ..., psi2(z) = -1/z^2 - 1/z^3 - 1/(2 z^4) + ... */
static void log_derivs(const tail *t, const point *p, double *d1, double *d2, double *d3)
{
    double r = p->r, q = p->q, pd1 = t->a * r * q;
    *d1 = t->lx - y_dpsi(t, p) * r;
    *d2 = pd1 * (1 + (r + q) / 2 + (r * r + r * q + q * q) / 6);
    *d3 = -pd1 * ((r + q) + (r * r + r * q + q * q) + (r + q) * (r * r + q * q) / 2);
}

/* (g/2 - g'/12 + g'''/720) / g at a point of the tail, for Euler-Maclaurin */
static double em_terms(const tail *t, const point *p)
{
    double d1, d2, d3;
    log_derivs(t, p, &d1, &d2, &d3);
    return 0.5 - d1 / 12 + (d1 * d1 * d1 + 3 * d1 * d2 + d3) / 720;
}

/* sum_{k=K0}^{H-1} g(k) / g(K0) (H = 0: unlimited) by Euler-Maclaurin, the
 * integral by Gauss-Legendre on panels in t = ln y. scale = g(K0) and head =
 * the sum of the first K0 terms, for the stopping rule. */
static double tail_sum(double a, double b, double lx, double H, double scale, double head)
{
    tail t = { .a = a, .lx = lx, .y0 = b + K0, .nt = 1 };
    t.y0s = ldexp(t.y0, -600);
    t.lxs = ldexp(lx, 600);
    /* terms of T: the error, below a w^2(n+1) / (2n + 3) in ln g with w
     * largest at y0, is kept under 1e-19 */
    double w0 = a / (2 * t.y0 + a), z = w0 * w0, zn = z * z;
    while (t.nt < 9 && a * zn > 1e-19 * (2 * t.nt + 3)) {
        t.nt++;
        zn *= z;
    }
    point p;
    point_at(&t, &p, t.y0);
    p.yl = t.y0s * t.lxs;
    t.h0 = p.h;
    t.L0 = p.L;
    t.ds0 = p.ds;
    double em = em_terms(&t, &p);
    const double tau_end = H > 0 ? fc_log1p((H - K0) / t.y0) : INFINITY;
    const double ys = scale * t.y0; /* the integral in k is ys times the one in t */
    double tau = 0, F = 1, I = 0;   /* F = G(tau) / (g(K0) y0), G = g dk/dt */
    int reached = 0;
    for (int n = 0; n < MAX_PANELS; n++) {
        /* sig = d ln G / dt; once it is below -1 it only falls (ln G is
         * concave there), so the rest of the integral is below F / |sig| */
        double ydpsi = y_dpsi(&t, &p), sig = 1 - ydpsi + p.yl;
        if (sig <= -1 && ys * F <= -sig * NEGLIGIBLE * (head + ys * I))
            break;
        /* the width w: over the panel |sig| <= B + G e^s at tau + s, and
         * w (B + G e^w) = PANEL_LOG, by Newton's steps from above (the left
         * side is convex) */
        double B = fmax(fabs(1 - a), fabs(1 - ydpsi)), G = -p.yl;
        double w = fmin(PANEL_MAX, PANEL_LOG / (B + G));
        if (w * (B + G * fc_exp(w)) > PANEL_LOG)
            for (int it = 0; it < 4; it++) {
                double e = fc_exp(w);
                w -= (w * (B + G * e) - PANEL_LOG) / (B + G * e * (1 + w));
            }
        double next = tau + w;
        if (next >= tau_end) {
            next = tau_end;
            reached = 1;
        }
        double mid = (tau + next) / 2, half = (next - tau) / 2, s = 0;
        point q;
        for (int j = 0; j < GL_HALF; j++) {
            double t1 = mid - half * gl_node[j], t2 = mid + half * gl_node[j];
            s += gl_weight[j] * (fc_exp(log_ratio(&t, t1, &q) + t1) + fc_exp(log_ratio(&t, t2, &q) + t2));
        }
        I += s * half;
        tau = next;
        F = fc_exp(log_ratio(&t, tau, &p) + tau);
        if (reached)
            break;
    }
    /* sum_{K0}^{H-1} g = int_{K0}^{H} g + (g(K0) - g(H))/2 + (g'(H) - g'(K0))/12
     *                    - (g'''(H) - g'''(K0))/720 + R; p is at y = b + H
     * when the integral reached it, where F = (g(H) / g(K0)) (y / y0) */
    if (reached)
        em -= F * t.y0 * p.r * em_terms(&t, &p);
    return t.y0 * I + em;
}

double fc_ltv_sbg(double a, double b, double discount, int64_t horizon)
{
    if (!(a > 0) || !(b > 0) || !(discount >= 0) || horizon < 0 || isinf(a) || isinf(b))
        return NAN;
    if (isinf(discount))
        return 1;
    if (horizon == 0 && discount == 0)
        return a > 1 ? 1 + b / (a - 1) : INFINITY; /* (a + b - 1) / (a - 1) */
    const double lx = -fc_log1p(discount), c1 = discount / (1 + discount); /* 1 - x */
    const int64_t k0 = horizon == 0 || horizon > K0 ? K0 : horizon;
    /* S falls, so the rest from term k on is at most g(k) / (1 - x) */
    const double after = discount > 0 ? (1 + discount) / discount : INFINITY;
    /* S(k + 1) = S(k) (1 - q), q = a / (a + b + k), and x^(k + 1) = x^k (1 - c1),
     * each kept as a value and its rounding error: the factors are often
     * close to 1 and nearly constant, and their rounding errors, all of one
     * sign, would otherwise reach 1e-14 at k = 256 */
    double sh = 1, sl = 0, dh = 1, dl = 0;
    double sum = 0, c = 0; /* compensated (Neumaier) sum */
    for (int64_t k = 0; k < k0; k++) {
        double term = sh * dh + (sh * dl + sl * dh), t = sum + term;
        if (term * after <= NEGLIGIBLE * (sum + c))
            return sum + c;
        c += fabs(sum) >= term ? (sum - t) + term : (term - t) + sum;
        sum = t;
        double bk = b + (double)k, q = a / (a + bk);
        if (q > 0.5) { /* the factor (b + k) / (a + b + k) is small: as it is */
            double f = bk / (a + bk);
            sh *= f;
            sl *= f;
        } else {
            double ps = sh * q, ts = sh - ps;
            sl = (sl - sl * q) + ((sh - ts) - ps);
            sh = ts;
        }
        double pd = dh * c1, td = dh - pd;
        dl = (dl - dl * c1) + ((dh - td) - pd);
        dh = td;
    }
    sum += c;
    if (horizon == k0)
        return sum;
    /* the rest is at most g(K0) times the number of terms left, too */
    const double g0 = (sh + sl) * (dh + dl);
    double left = after;
    if (horizon > 0 && (double)(horizon - K0) < left)
        left = (double)(horizon - K0);
    if (!(g0 > 0) || g0 * left <= NEGLIGIBLE * sum)
        return sum;
    return sum + g0 * tail_sum(a, b, lx, (double)horizon, g0, sum);
}

double fc_ltv_geometric(double keep, double discount, int64_t horizon)
{
    if (!(keep >= 0) || !(discount >= 0) || horizon < 0)
        return NAN;
    if (isinf(discount) || keep == 0)
        return 1;
    /* r = keep x; 1 - r = (churn + discount) / (1 + discount) without the
     * cancellation of 1 - r, and r^H = exp(H ln r) */
    double churn = 1 - keep, one_minus_r = (churn + discount) / (1 + discount);
    if (horizon == 0)
        return one_minus_r > 0 ? 1 / one_minus_r : INFINITY;
    if (one_minus_r == 0)
        return (double)horizon;
    double lr = fc_log1p(-churn) - fc_log1p(discount);
    return -fc_expm1((double)horizon * lr) / one_minus_r;
}

double fc_ltv_geometric_x(double keep, double discount, double expansion, int64_t horizon)
{
    if (!(expansion >= 0) || isinf(expansion))
        return NAN;
    if (expansion == 0)
        return fc_ltv_geometric(keep, discount, horizon);
    if (!(keep >= 0) || !(discount >= 0) || horizon < 0)
        return NAN;
    if (isinf(discount) || keep == 0)
        return 1;
    /* r = keep (1 + e) / (1 + d): 1 - r = (d - e + churn (1 + e)) / (1 + d) */
    double churn = 1 - keep, one_minus_r = (discount - expansion + churn * (1 + expansion)) / (1 + discount);
    if (horizon == 0)
        return one_minus_r > 0 ? 1 / one_minus_r : INFINITY;
    if (one_minus_r == 0)
        return (double)horizon;
    double lr = fc_log1p(-churn) + fc_log1p(expansion) - fc_log1p(discount);
    return -fc_expm1((double)horizon * lr) / one_minus_r;
}

double fc_ltv_sbg_x(double a, double b, double discount, double expansion, int64_t horizon)
{
    if (!(expansion >= 0) || isinf(expansion))
        return NAN;
    if (expansion <= discount)
        return fc_ltv_sbg(a, b, isinf(discount) ? discount : (discount - expansion) / (1 + expansion), horizon);
    if (!(a > 0) || !(b > 0) || horizon < 0 || isinf(a) || isinf(b))
        return NAN;
    if (horizon == 0)
        return INFINITY;
    const double x = (1 + expansion) / (1 + discount);
    double s = 1, xk = 1, sum = 0;
    for (int64_t k = 0; k < horizon && isfinite(sum); k++) {
        sum += s * xk;
        s *= 1 - a / (a + b + (double)k);
        xk *= x;
    }
    return sum;
}
